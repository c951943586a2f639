// Concurrency (docs/faults.md): on one repository that the scratch server archives into while WAL is generated,
// every round starts a logical backup, a snapshot, prune, two key rotations and a drill at once. Each run must
// succeed or be refused with exit 5 naming the holder; after every round every listed backup verifies, WAL
// continuity is as good as before, every rotation that reported success added its key, the newest logical
// backup restores with equal rows, and no lock, temporary file, scratch database or server is left.
import Foundation
import PGClient
import XCTest

final class ConcurrencyFaultTests: XCTestCase {
    static let policy = """
        name: concurrency
        safety: { min_age: 1s, min_complete: 1 }
        keep:
          logical: { last: 2 }
          snapshot: { last: 2 }
        """

    func testBackupPruneKeyRotateWALPushAndDrillRacingOnOneRepository() throws {
        let env = try TestEnvironment.require()
        let scenario = try archivingScenario(env, name: "race")
        let workspace = scenario.workspace
        let admin = scenario.admin
        let source = TestEnvironment.uniqueName("racesrc")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 300)
        try workspace.writePolicy(Self.policy)
        try chownToPostgres(workspace.directory)
        let drill = try workspace.writeDrill(
            "race-drill",
            """
            restore: { type: logical, database: \(source) }
            target: { scratch: database, url: "\(env.url(database: "postgres"))" }
            checks: { row_counts: true }
            """)
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", source]).status, 0)  // the drill needs one
        let baselineWAL = try workspace.lifeboat(["verify", "--wal"]).status
        var keys = try keyCount(workspace)
        let sourceRows = try SampleDatabase.fingerprints(env, database: source)
        let rounds = FaultSuite.full ? 10 : 3

        for round in 0..<rounds {
            let generator = WALGenerator(admin: admin, table: scenario.table, offset: round * 1_000)
            generator.start()
            let commands: [(String, [String])] = [
                ("logical backup", ["backup", "--database", source]),
                ("snapshot", ["backup", "--type", "snapshot"]),
                ("prune", ["prune"]),
                ("key rotate 1", ["key", "rotate"]),
                ("key rotate 2", ["key", "rotate"]),
                ("drill", ["drill", "run", drill]),
            ]
            let running = try commands.map { name, arguments in
                (name, try LifeboatProcess(env, ["--config", workspace.configPath, "--no-progress"] + arguments))
            }
            let results = running.map { ($0.0, $0.1.wait()) }
            generator.stop()

            var broken: [String] = []
            for (name, result) in results where result.status != 0 {
                let refused = result.status == 5 && result.stderr.contains("is locked by")
                if !refused { broken.append("\(name) exits \(result.status): \(result.stderr)") }
            }
            let rotated = results.filter { $0.0.hasPrefix("key rotate") && $0.1.status == 0 }.count
            let nowKeys = try keyCount(workspace)
            if nowKeys != keys + rotated {
                broken.append("\(rotated) rotations succeeded but the keyring went from \(keys) to \(nowKeys) keys")
            }
            keys = nowKeys
            let verify = try workspace.lifeboat(["verify", "--all"])
            if verify.status != 0 { broken.append("verify --all exits \(verify.status): \(verify.stderr)") }
            let wal = try workspace.lifeboat(["verify", "--wal"])
            if wal.status != baselineWAL {
                broken.append("verify --wal exits \(wal.status) (before: \(baselineWAL)): \(wal.stdout)\(wal.stderr)")
            }
            let target = TestEnvironment.uniqueName("racerestore")
            let restored = try workspace.lifeboat([
                "restore", "latest", "--database", source, "--target", env.url(database: target),
            ])
            if restored.status != 0 {
                broken.append("restore of the newest logical backup exits \(restored.status): \(restored.stderr)")
            } else if try SampleDatabase.fingerprints(env, database: target) != sourceRows {
                broken.append("the newest logical backup restores different rows")
            }
            SampleDatabase.drop(env, target)
            broken += try workspace.quiescentProblems(afterPrune: false)
            let scratch = try admin.query(
                "SELECT count(*)::text FROM pg_database WHERE datname LIKE 'lifeboat_drill_%'"
            ).rows.first?[0]
            if scratch != "0" { broken.append("\(scratch ?? "?") scratch databases left") }
            let listed = try workspace.listedIDs()?.count ?? 0
            if let path = ProcessInfo.processInfo.environment["LIFEBOAT_FAULTS_REPORT"] {
                FaultSuite.appendJSONLine(
                    [
                        "suite": "concurrency",
                        "scenario": "backup ∥ snapshot ∥ prune ∥ 2×key rotate ∥ wal push ∥ drill (file)",
                        "point": "round \(round)", "action": "race", "broken": broken, "backups_checked": listed,
                        "statuses": results.map { "\($0.0)=\($0.1.status)" },
                    ], to: path)
            }
            XCTAssertEqual(broken, [], "round \(round): \(results.map { "\($0.0)=\($0.1.status)" })")
            Thread.sleep(forTimeInterval: 1.05)  // backup ids are per second; prune's min_age
        }
    }

    func keyCount(_ workspace: Workspace) throws -> Int {
        let listed = try workspace.lifeboat(["key", "list", "--json"])
        let object = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any], listed.output)
        return (object["data_keys"] as? [Any])?.count ?? -1
    }
}

/// Inserts rows and switches WAL every 0.3 s on a background thread, so archive_command (`wal push`) runs
/// throughout a round.
final class WALGenerator: @unchecked Sendable {
    private let admin: PGConnection
    private let table: String
    private let offset: Int
    private let done = DispatchSemaphore(value: 0)
    private var stopping = false
    private let lock = NSLock()

    init(admin: PGConnection, table: String, offset: Int) {
        self.admin = admin
        self.table = table
        self.offset = offset
    }

    func start() {
        Thread.detachNewThread { [self] in
            var index = 0
            while !lock.withLock({ stopping }) {
                index += 1
                _ = try? admin.execute("INSERT INTO \(table) VALUES (\(offset + index), 'race')")
                _ = try? admin.query("SELECT pg_switch_wal()")
                Thread.sleep(forTimeInterval: 0.3)
            }
            done.signal()
        }
    }

    func stop() {
        lock.withLock { stopping = true }
        done.wait()
    }
}
