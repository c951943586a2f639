// RecoveryConfiguration: the recovery settings a snapshot restore writes into the data directory —
// recovery.signal (never standby.signal), and in postgresql.auto.conf restore_command (this lifeboat's `wal get`,
// preceded by the pointers to its private credentials when it needs any, RecoveryCredentials) and the recovery
// target.
import Catalog
import Configuration
import Foundation

struct RecoveryConfiguration {
    let config: LifeboatConfig
    let request: PhysicalRestoreRequest

    /// This lifeboat's `wal get`, preceded by the pointers to restore_command's credentials when it needs any.
    func restoreCommand(credentials: String?) -> String {
        let assignments = credentials.map { RecoveryCredentials.assignments(config, directory: $0) } ?? []
        let pointers = assignments.map { $0.name + "=" + Quoting.shell($0.value) }
        let command = [
            Quoting.shell(request.binaryPath), "--config", Quoting.shell(request.configPath),
            "wal get %f %p",
        ]
        return (pointers + command).joined(separator: " ")
    }

    /// The recovery target in words, for plans and messages.
    var targetText: String {
        if let time = request.toTime { return "time \(Self.postgresTimestamp(time))" }
        if let lsn = request.toLSN { return "WAL position \(lsn)" }
        if let name = request.toName { return "restore point '\(name)'" }
        return "end of the archived WAL (latest)"
    }

    func write(plan: PhysicalRestoreSummary, extractor: Extractor) throws {
        let added =
            "# Recovery settings added by lifeboat restore \(plan.backup) at "
            + CatalogCoding.formatTimestamp(Date())
        var lines = ["", added, "restore_command = \(Quoting.conf(plan.restoreCommand))"]
        if let time = request.toTime {
            lines.append("recovery_target_time = \(Quoting.conf(Self.postgresTimestamp(time)))")
        }
        if let lsn = request.toLSN { lines.append("recovery_target_lsn = \(Quoting.conf(lsn.description))") }
        if let name = request.toName { lines.append("recovery_target_name = \(Quoting.conf(name))") }
        if let action = plan.targetAction { lines.append("recovery_target_action = \(Quoting.conf(action))") }
        try extractor.append(Array((lines.joined(separator: "\n") + "\n").utf8), to: "postgresql.auto.conf")
        // A snapshot read from a standby carries its standby.signal, which PostgreSQL honours over recovery.signal:
        // the restored server would stay a standby (and stream from the primary in primary_conninfo) instead of
        // recovering from the archive and promoting.
        try extractor.root.remove("standby.signal")
        try extractor.append([], to: "recovery.signal")
    }

    /// `2026-11-21 19:53:12.123456+00`: PostgreSQL's timestamptz input, microseconds kept.
    static func postgresTimestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = floor(seconds)
        var micros = Int(((seconds - whole) * 1_000_000).rounded())
        if micros >= 1_000_000 {
            whole += 1
            micros -= 1_000_000
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: whole)) + String(format: ".%06d+00", micros)
    }
}
