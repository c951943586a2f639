// Failpoint: named places in Lifeboat's write paths where the fault suite (scripts/faults.sh) injects a fault.
// Compiled into every build, release included, and inert unless armed through the environment:
//
//   LIFEBOAT_FAILPOINTS="backup.manifest.before=kill,wal.record.after=2*eio"
//   LIFEBOAT_FAILPOINTS_TRACE=/path/file   append every reached point's name, one per line
//
// Actions: `kill` (SIGKILL itself: power loss as far as the repository can tell), `term` (SIGTERM itself, then
// wait: the interrupt handler runs its cleanups and exits, as when an operator presses ^C there), `stop`
// (SIGSTOP itself and carry on after SIGCONT: a pause of any length there, so a test can run another command at
// exactly that moment), `eio` (the operation fails with an I/O error). `N*action` fires on the Nth time the point is reached, not before.
// docs/faults.md lists every point; a point is a promise that the repository guarantees hold if the run dies there.
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum Failpoint {
    public enum Action: Equatable, Sendable {
        case kill, term, stop, eio
    }

    /// One armed point: fires on the `nth` hit.
    struct Arming: Equatable, Sendable {
        var action: Action
        var nth: Int
    }

    /// Reaches the point named `name`: records it when tracing and performs its fault when armed.
    public static func hit(_ name: String) throws {
        guard state.active else { return }
        try state.reach(name)
    }

    /// Parses `LIFEBOAT_FAILPOINTS`; throws on a malformed specification so a typo in a test cannot pass silently.
    static func parse(_ text: String) throws -> [String: Arming] {
        var armed: [String: Arming] = [:]
        for item in text.split(separator: ",").map({ $0.trimmingSpaces }) where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw FailpointError.malformed(item) }
            var actionText = parts[1]
            var nth = 1
            if let star = actionText.firstIndex(of: "*") {
                guard let count = Int(actionText[..<star]), count >= 1 else { throw FailpointError.malformed(item) }
                nth = count
                actionText = String(actionText[actionText.index(after: star)...])
            }
            let action: Action
            switch actionText {
            case "kill": action = .kill
            case "term": action = .term
            case "stop": action = .stop
            case "eio": action = .eio
            default: throw FailpointError.malformed(item)
            }
            armed[parts[0]] = Arming(action: action, nth: nth)
        }
        return armed
    }

    static let state = FailpointState()
}

/// An injected fault, or a malformed LIFEBOAT_FAILPOINTS.
public enum FailpointError: LifeboatError {
    case injected(point: String)
    case malformed(String)

    public var exitStatus: ExitStatus {
        switch self {
        case .injected: return .failure
        case .malformed: return .usage
        }
    }

    public var message: String {
        switch self {
        case .injected(let point): return "injected I/O error at failpoint '\(point)'"
        case .malformed(let item): return "LIFEBOAT_FAILPOINTS item '\(item)' is not NAME=ACTION or NAME=N*ACTION"
        }
    }

    public var hint: String? {
        switch self {
        case .injected: return "this fault was requested through LIFEBOAT_FAILPOINTS; unset it for normal runs"
        case .malformed: return "actions are kill, term, stop and eio; see docs/faults.md"
        }
    }
}

/// Process-wide failpoint state, read once from the environment. Hit counts are guarded by a mutex because
/// pipelines reach points from background threads.
final class FailpointState: @unchecked Sendable {
    let active: Bool
    private let armed: [String: Failpoint.Arming]
    private let parseError: FailpointError?
    private let traceFD: Int32
    private var counts: [String: Int] = [:]
    private let mutex = NSLock()

    init() {
        let spec = getenv("LIFEBOAT_FAILPOINTS").map { String(cString: $0) } ?? ""
        let tracePath = getenv("LIFEBOAT_FAILPOINTS_TRACE").map { String(cString: $0) } ?? ""
        var parsed: [String: Failpoint.Arming] = [:]
        var error: FailpointError?
        do { parsed = try Failpoint.parse(spec) } catch let failure as FailpointError { error = failure } catch {}
        armed = parsed
        parseError = error
        traceFD =
            tracePath.isEmpty ? -1 : open(tracePath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        active = !spec.isEmpty || traceFD >= 0
    }

    func reach(_ name: String) throws {
        if let parseError { throw parseError }
        let count = mutex.withLock { () -> Int in
            counts[name, default: 0] += 1
            return counts[name]!
        }
        if traceFD >= 0 {
            let line = Array((name + "\n").utf8)
            _ = line.withUnsafeBytes { write(traceFD, $0.baseAddress, $0.count) }  // O_APPEND: one line, atomically
        }
        guard let arming = armed[name], arming.nth == count else { return }
        switch arming.action {
        case .kill:
            kill(getpid(), SIGKILL)
        case .term:
            kill(getpid(), SIGTERM)
            while true { sleep(1) }  // the interrupt handler exits the process
        case .stop:
            kill(getpid(), SIGSTOP)  // returns once whoever arranged the interleaving sends SIGCONT
        case .eio:
            throw FailpointError.injected(point: name)
        }
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
