// ProgressReporter: a one-line progress display on stderr (bytes, rate, ETA when the total is known). It draws
// only when stderr is a terminal and progress is not disabled, at most ten times a second.
import Foundation

#if canImport(Glibc)
import Glibc
#endif

public final class ProgressReporter: @unchecked Sendable {
    // Mutable state is guarded by `lock`: pipeline threads and the main thread both report.
    public let enabled: Bool
    private let lock = NSLock()
    private var phase = ""
    private var done: Int64 = 0
    private var total: Int64?
    private var started = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    public init(enabled: Bool) {
        self.enabled = enabled
    }

    public static func forTerminal(disabled: Bool) -> ProgressReporter {
        ProgressReporter(enabled: !disabled && isatty(STDERR_FILENO) == 1)
    }

    public func begin(_ phase: String, total: Int64? = nil) {
        lock.lock()
        self.phase = phase
        self.total = total
        done = 0
        started = Date()
        lock.unlock()
        draw(force: true)
    }

    public func advance(by bytes: Int) {
        lock.lock()
        done += Int64(bytes)
        lock.unlock()
        draw(force: false)
    }

    public func end() {
        lock.lock()
        defer { lock.unlock() }
        if enabled && drawn {
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            drawn = false
        }
    }

    private func draw(force: Bool) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        drawn = true
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line(now: now)).utf8))
    }

    private func line(now: Date) -> String {
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        guard done > 0 || total != nil else { return "\(phase) …" }  // a phase that moves no bytes
        let rate = Double(done) / elapsed
        var text = "\(phase): \(Format.bytes(done))"
        if let total, total > 0 {
            let fraction = min(Double(done) / Double(total), 1)
            let width = 24
            let filled = Int(fraction * Double(width))
            text +=
                " / \(Format.bytes(total)) [" + String(repeating: "#", count: filled)
                + String(repeating: ".", count: width - filled) + "] \(Int(fraction * 100))%"
            if rate > 0 { text += " ETA \(Format.duration((Double(total - done) / rate)))" }
        }
        return text + " \(Format.bytes(Int64(rate)))/s"
    }
}

/// Human formats shared by progress, summaries and tables.
public enum Format {
    public static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    public static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let total = Int(seconds.rounded())
        if total < 3600 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total / 3600)h\(String(format: "%02d", (total % 3600) / 60))m"
    }
}
