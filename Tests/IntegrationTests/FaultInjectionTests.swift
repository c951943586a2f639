// The fault suite's fast part (docs/faults.md): a logical backup is run with a fault (SIGKILL, SIGTERM, an I/O
// error) at every failpoint it reaches, on a file:// repository, and after each: a run that exited 0 is listed;
// every listed backup verifies, and one that committed under the fault restores with equal rows; the next
// backup succeeds (no stale lock); the next prune removes every leftover; no lock or temporary file remains.
import Foundation
import PGClient
import XCTest

final class FaultInjectionTests: XCTestCase {
    static let policy = """
        name: faults
        safety: { min_age: 1s, min_complete: 1 }
        keep:
          logical: { last: 2 }
        """

    func testLogicalBackupKeepsEveryGuaranteeUnderAFaultAtEveryPoint() throws {
        let env = try TestEnvironment.require()
        let (workspace, source) = try sampleWorkspace(env, name: "faults", rows: 300, policy: Self.policy)
        var restores = 0

        let scenario = FaultScenario(
            name: "logical backup (file)",
            run: { environment in
                try workspace.lifeboat(["backup", "--database", source, "--json"], environment: environment)
            },
            check: { faultCase, result in
                var broken: [String] = []
                let listed = try workspace.listedIDs()
                guard let listed else { return FaultVerdict(broken: ["list fails after the fault"]) }
                let committedID = result.status == 0 ? (try? workspace.json(result))?["id"] as? String : nil
                if result.status == 0 && !(committedID.map(listed.contains) ?? false) {
                    broken.append("the run exited 0 but its backup is not listed")
                }
                // A backup that committed under the fault (or whose commit was settled by reading back) restores.
                if faultCase.point.hasPrefix("backup.manifest.after") || faultCase.point == "lock.release.before",
                    let newest = listed.last
                {
                    restores += 1
                    let target = TestEnvironment.uniqueName("faultrestore")
                    defer { SampleDatabase.drop(env, target) }
                    let restored = try workspace.lifeboat(["restore", newest, "--target", env.url(database: target)])
                    if restored.status != 0 {
                        broken.append("restore of listed backup \(newest) exits \(restored.status): \(restored.stderr)")
                    } else if try SampleDatabase.fingerprints(env, database: target)
                        != SampleDatabase.fingerprints(env, database: source)
                    {
                        broken.append("restore of listed backup \(newest) has different rows")
                    }
                }
                // Right after a kill the dead run's lock and temporary files are expected; the next run clears them.
                broken += try workspace.quiescentProblems(afterPrune: false)
                    .filter { !$0.hasPrefix(Workspace.lockLeak) && !$0.hasPrefix(Workspace.temporaryLeak) }
                let next = try workspace.lifeboat(["backup", "--database", source])
                if next.status != 0 { broken.append("the next backup exits \(next.status): \(next.stderr)") }
                Thread.sleep(forTimeInterval: 1.05)  // past min_age
                let pruned = try workspace.lifeboat(["prune"])
                if pruned.status != 0 { broken.append("the next prune exits \(pruned.status): \(pruned.stderr)") }
                broken += try workspace.quiescentProblems(afterPrune: true)
                return FaultVerdict(broken: broken, backupsChecked: listed.count)
            })
        let count = try FaultSuite.exercise(
            scenario, scratch: workspace.directory,
            requiredPoints: [
                "lock.acquire.after", "backup.object.before", "backup.object.after", "backup.manifest.before",
                "backup.manifest.after", "lock.release.before",
            ])
        XCTAssertGreaterThanOrEqual(count, 6 * FaultSuite.actions.count)  // at least the required points, each action
        XCTAssertGreaterThanOrEqual(restores, 6)
    }

    /// pin and unpin under a fault at each point: list and verify keep working, the pin is either the old or the
    /// new state, the next run succeeds, and no lock stays.
    func testPinUnderAFaultAtEveryPoint() throws {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env, name: "pinfaults")
        try workspace.initialize()
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", "postgres"]).status, 0)
        let id = try XCTUnwrap(try workspace.listedIDs()?.first)
        let scenario = FaultScenario(
            name: "pin (file)",
            run: { environment in
                try workspace.lifeboat(["pin", id], environment: environment)
            },
            check: { _, result in
                var broken: [String] = []
                let listed = try workspace.lifeboat(["list", "--json"])
                if listed.status != 0 { broken.append("list exits \(listed.status): \(listed.stderr)") }
                let pinned = ((try? workspace.json(listed))?["backups"] as? [[String: Any]])?.first?["pinned"] as? Bool
                if result.status == 0 && pinned != true { broken.append("pin exited 0 but the backup is not pinned") }
                let next = try workspace.lifeboat(["pin", id])
                if next.status != 0 { broken.append("the next pin exits \(next.status): \(next.stderr)") }
                let unpin = try workspace.lifeboat(["unpin", id])
                if unpin.status != 0 { broken.append("unpin exits \(unpin.status): \(unpin.stderr)") }
                broken += try workspace.quiescentProblems(afterPrune: false)
                return FaultVerdict(broken: broken, backupsChecked: 1)
            })
        try FaultSuite.exercise(
            scenario, scratch: workspace.directory, requiredPoints: ["pin.record.before", "pin.record.after"])
    }

    /// A snapshot under a fault at its commit points (every point with LIFEBOAT_FAULTS_FULL=1): as for logical
    /// backups, and a listed snapshot verifies with its WAL.
    func testSnapshotBackupUnderAFaultAtItsCommitPoints() throws {
        let env = try TestEnvironment.require()
        let scenario = try archivingScenario(env, name: "snapfaults")
        let workspace = scenario.workspace
        try workspace.writePolicy(
            """
            name: snapfaults
            safety: { min_age: 1s, min_complete: 1 }
            keep:
              snapshot: { last: 2 }
            """)
        try chownToPostgres(workspace.directory)
        let faulted = FaultScenario(
            name: "snapshot backup (file)",
            run: { environment in
                try workspace.lifeboat(["backup", "--type", "snapshot", "--json"], environment: environment)
            },
            check: { _, result in
                var broken: [String] = []
                guard let listed = try workspace.listedIDs() else {
                    return FaultVerdict(broken: ["list fails after the fault"])
                }
                if result.status == 0, let id = (try? workspace.json(result))?["id"] as? String, !listed.contains(id) {
                    broken.append("the run exited 0 but its snapshot is not listed")
                }
                let verify = try workspace.lifeboat(["verify", "--all", "--wal"])
                if verify.status != 0 { broken.append("verify --all --wal exits \(verify.status): \(verify.stderr)") }
                let next = try workspace.lifeboat(["backup", "--type", "snapshot"])
                if next.status != 0 { broken.append("the next snapshot exits \(next.status): \(next.stderr)") }
                Thread.sleep(forTimeInterval: 1.05)
                let pruned = try workspace.lifeboat(["prune"])
                if pruned.status != 0 { broken.append("the next prune exits \(pruned.status): \(pruned.stderr)") }
                broken += try workspace.quiescentProblems(afterPrune: true)
                return FaultVerdict(broken: broken, backupsChecked: listed.count)
            })
        let commitPoints: Set<String> = ["backup.manifest.before", "backup.manifest.after"]
        try FaultSuite.exercise(
            faulted, scratch: workspace.directory,
            actions: FaultSuite.full ? FaultSuite.actions : ["kill", "term"],
            requiredPoints: Array(commitPoints), only: FaultSuite.full ? nil : { commitPoints.contains($0) })
    }

    /// A drill killed, interrupted or failed at each of its points: the next drill on this host succeeds and
    /// afterwards no scratch cluster (directory or server) and no scratch database remains, for both targets.
    func testDrillUnderAFaultAtEveryPointLeavesNoScratchBehind() throws {
        let env = try TestEnvironment.require()
        let (workspace, source) = try sampleWorkspace(env, name: "drillfaults", rows: 300)
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", source]).status, 0)
        let admin = try env.admin()
        defer { admin.close() }
        let targets = [
            ("cluster", "target: { scratch: cluster }"),
            ("database", "target: { scratch: database, url: \"\(env.url(database: "postgres"))\" }"),
        ]
        for (kind, target) in targets {
            let drill = try workspace.writeDrill(
                "faults-\(kind)", file: "drill-\(kind)",
                """
                restore: { type: logical, database: \(source) }
                \(target)
                checks: { row_counts: true }

                """)
            let scenario = FaultScenario(
                name: "drill (scratch \(kind))",
                run: { environment in
                    try workspace.lifeboat(["drill", "run", drill], environment: environment)
                },
                check: { _, _ in
                    var broken: [String] = []
                    let next = try workspace.lifeboat(["drill", "run", drill])
                    if next.status != 0 { broken.append("the next drill exits \(next.status): \(next.stderr)") }
                    let directories =
                        (try? FileManager.default.contentsOfDirectory(atPath: "/tmp"))?.filter {
                            $0.hasPrefix("lifeboat-drill-")
                        } ?? []
                    if !directories.isEmpty { broken.append("scratch directories left: \(directories)") }
                    let databases = try admin.query(
                        "SELECT count(*)::text FROM pg_database WHERE datname LIKE 'lifeboat_drill_%'"
                    ).rows.first?[0]
                    if databases != "0" { broken.append("\(databases ?? "?") scratch databases left") }
                    if let servers = try? FaultInjectionTests.scratchServers(), !servers.isEmpty {
                        broken.append("scratch servers still running: \(servers)")
                    }
                    let listed = try workspace.lifeboat(["drill", "list"])
                    if listed.status != 0 { broken.append("drill list exits \(listed.status): \(listed.stderr)") }
                    return FaultVerdict(broken: broken, backupsChecked: 1)
                })
            try FaultSuite.exercise(
                scenario, scratch: workspace.directory,
                requiredPoints: ["drill.checks.before", "drill.evidence.before"])
        }
    }

    /// A logical restore (parallel, so a killed one can leave part of its data) under a fault at each point: the
    /// target is absent, empty, or complete; a partial one is named as the leftover of a killed restore and a
    /// restore with --clean makes it complete.
    func testLogicalRestoreUnderAFaultAtEveryPoint() throws {
        let env = try TestEnvironment.require()
        let (workspace, source) = try sampleWorkspace(env, name: "restorefaults", rows: 2_000)
        // A parallel backup, so the restore feeds pg_restore's workers through pipes (and passes every feed point).
        XCTAssertEqual(try workspace.lifeboat(["backup", "--database", source, "--jobs", "2"]).status, 0)
        let sourceRows = try SampleDatabase.fingerprints(env, database: source)
        let scratch = workspace.directory + "/tmpdir"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let target = TestEnvironment.uniqueName("restorefaults_target")
        defer { SampleDatabase.drop(env, target) }
        let admin = try env.admin()
        defer { admin.close() }
        let scenario = FaultScenario(
            name: "logical restore --jobs 2 (file)",
            run: { environment in
                SampleDatabase.drop(env, target)
                return try workspace.lifeboat(
                    ["restore", "latest", "--target", env.url(database: target), "--jobs", "2"],
                    environment: environment.merging(["TMPDIR": scratch]) { $1 })
            },
            check: { _, result in
                var broken: [String] = []
                // A killed run's pg_restore must not live on (its guard kills it before any pipe ends).
                Thread.sleep(forTimeInterval: 0.2)
                let orphans = Self.processes(named: "pg_restore", mentioning: target)
                if !orphans.isEmpty { broken.append("pg_restore still runs after the fault: \(orphans)") }
                let exists = try !admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [target]).rows.isEmpty
                if result.status == 0 {
                    if try SampleDatabase.fingerprints(env, database: target) != sourceRows {
                        broken.append("exit 0 but the rows differ")
                    }
                } else if exists {
                    let connection = try PGConnection(try env.connectionInfo(database: target))
                    let relations =
                        try connection.query(
                            "SELECT count(*)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind IN ('r', 'v', 'p')"
                        ).rows.first?[0] ?? "?"
                    connection.close()
                    if relations != "0" {
                        let again = try workspace.lifeboat(["restore", "latest", "--target", env.url(database: target)])
                        if again.status != 1 || !again.stderr.contains("killed before it finished") {
                            broken.append(
                                "a partial target is not named as a killed restore's leftover: exit \(again.status) \(again.stderr)"
                            )
                        }
                    }
                }
                if result.status != 0 {
                    let clean = try workspace.lifeboat([
                        "restore", "latest", "--target", env.url(database: target), "--clean",
                    ])
                    if clean.status != 0 {
                        broken.append("restore --clean after the fault exits \(clean.status): \(clean.stderr)")
                    } else if try SampleDatabase.fingerprints(env, database: target) != sourceRows {
                        broken.append("restore --clean gives different rows")
                    }
                    // The next parallel run removes the private directory a killed one left.
                    _ = try workspace.lifeboat(
                        ["restore", "latest", "--target", env.url(database: target), "--clean", "--jobs", "2"],
                        environment: ["TMPDIR": scratch])
                }
                let left = (try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []
                if !left.isEmpty { broken.append("local files left in TMPDIR: \(left)") }
                return FaultVerdict(broken: broken, backupsChecked: 1)
            })
        try FaultSuite.exercise(
            scenario, scratch: workspace.directory,
            requiredPoints: [
                "restore.database.before", "restore.data.before", "restore.feed.before", "restore.feed.close.before",
                "restore.settings.commit.before",
            ],
            firstOnly: { $0.hasPrefix("restore.feed.") && !FaultSuite.full })
    }

    /// A parallel backup (`--jobs 2`) under a fault at its part points: the guarantees of the logical backup
    /// scenario, and no pg_dump lives on, and no local file of the dump stays once the next parallel backup ran.
    func testParallelBackupUnderAFaultAtItsPartPoints() throws {
        let env = try TestEnvironment.require()
        let (workspace, source) = try sampleWorkspace(env, name: "parfaults", rows: 300, policy: Self.policy)
        let scratch = workspace.directory + "/tmpdir"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        var before: Set<String> = []
        let scenario = FaultScenario(
            name: "logical backup --jobs 2 (file)",
            run: { environment in
                before = Set(try workspace.listedIDs() ?? [])
                return try workspace.lifeboat(
                    ["backup", "--database", source, "--jobs", "2", "--json"],
                    environment: environment.merging(["TMPDIR": scratch]) { $1 })
            },
            check: { _, result in
                var broken: [String] = []
                let listed = try workspace.listedIDs() ?? []
                let committedID = result.status == 0 ? (try? workspace.json(result))?["id"] as? String : nil
                if result.status == 0 && !(committedID.map(listed.contains) ?? false) {
                    broken.append("the run exited 0 but its backup is not listed")
                }
                let new = Set(listed).subtracting(before)
                if result.status != 0 && !new.isEmpty { broken.append("a failed parallel backup is listed: \(new)") }
                // A killed run's pg_dump dies with it (its workers once their table is copied).
                Thread.sleep(forTimeInterval: 0.3)
                let orphans = Self.processes(named: "pg_dump", mentioning: source)
                if !orphans.isEmpty { broken.append("pg_dump still runs after the fault: \(orphans)") }
                let next = try workspace.lifeboat(
                    ["backup", "--database", source, "--jobs", "2"], environment: ["TMPDIR": scratch])
                if next.status != 0 { broken.append("the next backup exits \(next.status): \(next.stderr)") }
                let left = (try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []
                if !left.isEmpty { broken.append("local files of the dump left in TMPDIR: \(left)") }
                // The one backup listed now restores the source's rows.
                let target = TestEnvironment.uniqueName("parfaultrestore")
                defer { SampleDatabase.drop(env, target) }
                let restored = try workspace.lifeboat(
                    ["restore", "latest", "--target", env.url(database: target), "--jobs", "2"])
                if restored.status != 0 {
                    broken.append("restore of the next backup exits \(restored.status): \(restored.stderr)")
                } else if try SampleDatabase.fingerprints(env, database: target)
                    != SampleDatabase.fingerprints(env, database: source)
                {
                    broken.append("restore of the next backup has different rows")
                }
                Thread.sleep(forTimeInterval: 1.05)  // past min_age
                let pruned = try workspace.lifeboat(["prune"])
                if pruned.status != 0 { broken.append("the next prune exits \(pruned.status): \(pruned.stderr)") }
                broken += try workspace.quiescentProblems(afterPrune: true)
                return FaultVerdict(broken: broken, backupsChecked: 1)
            })
        try FaultSuite.exercise(
            scenario, scratch: workspace.directory, requiredPoints: ["backup.part.before", "backup.part.after"],
            only: { $0.hasPrefix("backup.part.") }, firstOnly: { _ in !FaultSuite.full })
    }

    /// Processes running `tool` whose command line mentions `text` (a database name).
    static func processes(named tool: String, mentioning text: String) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            let line = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            let status = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
            // A zombie has exited already; it waits only for its parent to collect it.
            let zombie = status.split(separator: ")").last?.trimmingCharacters(in: .whitespaces).hasPrefix("Z") ?? false
            return !zombie && line.contains(tool) && line.contains(text)
        }
    }

    /// Processes whose working directory is inside a drill's scratch directory (a running scratch server).
    static func scratchServers() throws -> [Int32] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(Int32.init).filter { pid in
            let cwd = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")) ?? ""
            return cwd.hasPrefix("/tmp/lifeboat-drill-")
        }
    }
}
