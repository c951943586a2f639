// DrillState: what a drill run has gathered so far — phases, checks, measurements and the scratch target to
// tear down. A class, so the interruption handler and the phase closures share one instance.
import Drills
import Foundation
import PGClient

final class DrillState: @unchecked Sendable {
    let incidentAt: Date
    let keep: Bool
    let target = DrillScratch()
    var backup: DrillBackupRecord?
    var recoveryPoint: RecoveryPointRecord?
    var checks: [CheckOutcome] = []
    var rto: Double?
    var rpo: Double?
    var notes: [String] = []
    /// Where the checks and the recovery-point query connect.
    var targetDatabase: ConnectionInfo?
    var replayedLSN: String?
    private var timings: [(name: String, start: Date, end: Date)] = []

    init(incidentAt: Date, keep: Bool) {
        self.incidentAt = incidentAt
        self.keep = keep
    }

    var phases: [PhaseTiming] {
        timings.map { PhaseTiming(name: $0.name, seconds: $0.end.timeIntervalSince($0.start)) }
    }

    /// Runs `body` as the named phase of the recovery and records how long it took (also when it throws).
    func phase<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
        let start = Date()
        defer { timings.append((name, start, Date())) }
        return try body()
    }

    /// The server's start and its WAL replay are one call; `mark` (when the server first accepted connections,
    /// i.e. reached a consistent state) splits that phase into `start` and `wal_replay`.
    func splitStartPhase(at mark: Date?) {
        guard let mark, let index = timings.lastIndex(where: { $0.name == "start" }) else { return }
        let whole = timings[index]
        timings[index] = ("start", whole.start, mark)
        timings.insert(("wal_replay", mark, whole.end), at: index + 1)
    }
}

/// When a server first accepted connections during a snapshot drill.
final class StartMark: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Date?
    func mark() {
        lock.lock()
        defer { lock.unlock() }
        value = value ?? Date()
    }
    var time: Date? {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}

/// The drill's scratch target, removed exactly once (by the run, or by the interruption handler on Ctrl-C).
final class DrillScratch: @unchecked Sendable {
    enum Kind {
        case none
        case cluster(ScratchCluster)
        case database(server: ConnectionInfo, name: String)
    }
    private let lock = NSLock()
    private var kind: Kind = .none

    func set(_ kind: Kind) {
        lock.lock()
        defer { lock.unlock() }
        self.kind = kind
    }

    var description: String {
        lock.lock()
        defer { lock.unlock() }
        switch kind {
        case .none: return "none"
        case .cluster(let scratch): return scratch.description
        case .database(let server, let name):
            return "scratch database '\(name)' on \(server.withoutPassword().description)"
        }
    }

    /// Leaves the scratch server or database for the operator (`--keep`): marked as kept, so neither this
    /// process's exit nor a later drill's sweep of abandoned scratch removes it.
    func keepForOperator() {
        switch takeTarget() {
        case .none: break
        case .cluster(let scratch): scratch.keepAfterExit()
        case .database(let server, let name):
            guard let connection = try? PGConnection(server), let quoted = try? connection.quoteIdentifier(name),
                let text = try? connection.quoteLiteral(AbandonedScratch.keptText)
            else { return }
            defer { connection.close() }
            _ = try? connection.execute("COMMENT ON DATABASE \(quoted) IS \(text)")
        }
    }

    /// The target, handed over once: whoever takes it keeps or removes it; later calls get `.none`.
    private func takeTarget() -> Kind {
        lock.lock()
        defer { lock.unlock() }
        let current = kind
        kind = .none
        return current
    }

    func tearDown() {
        switch takeTarget() {
        case .none: break
        case .cluster(let scratch): scratch.remove()
        case .database(let server, let name):
            guard let connection = try? PGConnection(server) else { return }
            defer { connection.close() }
            _ = try? connection.execute("DROP DATABASE IF EXISTS \"\(name)\" WITH (FORCE)")
        }
    }
}
