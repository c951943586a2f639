// WAL archiving through the built binary: the scratch PostgreSQL archives real segments with
// `archive_command = 'lifeboat … wal push %p'` (running as the postgres OS user), `wal get` restores them
// byte for byte, re-pushes are idempotent, a different file under an archived name is refused, a missing name
// is a quiet exit 1, damage is exit 4 without creating DEST, and an S3 repository works the same way.
import Foundation
import PGClient
import TestSupport
import XCTest

final class WALArchiveTests: XCTestCase {
    var env: TestEnvironment!

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    // MARK: archive_command on the real server

    func testArchiveCommandArchivesSegmentsThatGetRestoresByteForByte() throws {
        let scenario = try archivingScenario(env, name: "walgen", .archivingOnly)
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        let baseline = try archiverCounts(admin)

        // Three segments full of rows (with a marker that must never appear in the repository), each switched out.
        let copies = workspace.directory + "/copies"
        try FileManager.default.createDirectory(atPath: copies, withIntermediateDirectories: true)
        let pgWAL = try XCTUnwrap(admin.query("SHOW data_directory").rows.first?[0] ?? nil) + "/pg_wal"
        try admin.execute("CREATE TABLE \(table) (id integer, payload text)")
        var names: [String] = []
        for round in 1...3 {
            try admin.execute(
                """
                INSERT INTO \(table) SELECT i, '\(SampleDatabase.marker)-' || i || repeat('w', 200)
                FROM generate_series(\(round * 10_000), \(round * 10_000 + 9_999)) AS i
                """)
            let name = try XCTUnwrap(admin.query("SELECT pg_walfile_name(pg_switch_wal())").rows.first?[0] ?? nil)
            try FileManager.default.copyItem(atPath: pgWAL + "/" + name, toPath: copies + "/" + name)
            names.append(name)
        }
        try waitForArchiver(admin, baseline: baseline, count: names.count, last: try XCTUnwrap(names.last))

        // Objects and records exist, are sealed, and hold no plaintext.
        let files = try workspace.repositoryFiles()
        XCTAssertNotNil(files["wal/main/system-identifier.lbx"], "\(files.keys.sorted())")
        for name in names {
            let objects = try workspace.walObjects(name)
            XCTAssertEqual(objects.count, 1, "one object per archived file: \(objects)")
            XCTAssertTrue(objects.allSatisfy { $0.hasPrefix("wal/main/00000001/\(name).") }, "\(objects)")
            for key in objects + ["wal/main/00000001/\(name).meta.lbx"] {
                let data = try XCTUnwrap(files[key], "missing \(key) in \(files.keys.sorted())")
                XCTAssertEqual(data.prefix(8), Data("LIFEBOAT".utf8), key)
            }
        }
        for (key, data) in files where key.hasPrefix("wal/") {
            XCTAssertNil(data.range(of: Data(SampleDatabase.marker.utf8)), "plaintext in \(key)")
        }

        // wal get restores every segment exactly, and re-pushing the same file changes nothing.
        let restored = workspace.directory + "/restored"
        try FileManager.default.createDirectory(atPath: restored, withIntermediateDirectories: true)
        for name in names {
            let get = try workspace.lifeboat(["wal", "get", name, restored + "/" + name])
            XCTAssertEqual(get.status, 0, get.output)
            XCTAssertEqual(get.stderr, "", "wal get is silent on success")
            let original = try XCTUnwrap(FileManager.default.contents(atPath: copies + "/" + name))
            XCTAssertEqual(original.count, 16 << 20)
            XCTAssertEqual(FileManager.default.contents(atPath: restored + "/" + name), original, name)
        }
        let objectPath = workspace.repository + "/" + (try XCTUnwrap(try workspace.walObjects(names[0]).first))
        let before = try FileManager.default.attributesOfItem(atPath: objectPath)
        let again = try workspace.lifeboat(["wal", "push", copies + "/" + names[0], "--json"])
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertEqual(try workspace.json(again)["already_archived"] as? Bool, true, again.stdout)
        let after = try FileManager.default.attributesOfItem(atPath: objectPath)
        XCTAssertEqual(before[.systemFileNumber] as? Int, after[.systemFileNumber] as? Int, "the object was rewritten")

        // A different file under an archived name is refused loudly, and the archive keeps the original.
        let modified = workspace.directory + "/modified"
        try FileManager.default.createDirectory(atPath: modified, withIntermediateDirectories: true)
        var changed = try XCTUnwrap(FileManager.default.contents(atPath: copies + "/" + names[1]))
        changed[changed.count / 2] ^= 0x40
        try changed.write(to: URL(fileURLWithPath: modified + "/" + names[1]))
        let refused = try workspace.lifeboat(["wal", "push", modified + "/" + names[1]])
        XCTAssertEqual(refused.status, 1, refused.output)
        XCTAssertTrue(refused.stderr.contains(names[1]), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("already holds a different file"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("HINT:") && refused.stderr.contains("timeline"), refused.stderr)
        let check = workspace.directory + "/check-" + names[1]
        XCTAssertEqual(try workspace.lifeboat(["wal", "get", names[1], check]).status, 0)
        XCTAssertEqual(
            FileManager.default.contents(atPath: check), FileManager.default.contents(atPath: copies + "/" + names[1]))

        // The server archived everything without a single failure.
        let final = try archiverCounts(admin)
        XCTAssertEqual(final.failed, baseline.failed, "archive_command failed at least once: see the server log")
    }

    /// A typo in the policy file must not stop archiving (WAL would pile up in pg_wal) nor reading; commands
    /// that apply the policy or write under it refuse it.
    func testBrokenPolicyDoesNotStopWALArchiving() throws {
        let workspace = try Workspace(env, name: "walpolicy")
        try workspace.initialize()
        try workspace.writePolicy("keep:\n  logical: { last: zero }\n", name: "broken.yml")
        let segment = try completedSegmentCopy(into: workspace.directory)
        let pushed = try workspace.lifeboat(["wal", "push", segment])
        XCTAssertEqual(pushed.status, 0, pushed.output)
        XCTAssertTrue(
            pushed.stderr.contains("policy ignored") && pushed.stderr.contains("keep.logical.last"), pushed.stderr)
        XCTAssertEqual(try workspace.lifeboat(["list"]).status, 0, "reading never fails over the policy")
        let prune = try workspace.lifeboat(["prune", "--dry-run"])
        XCTAssertEqual(prune.status, 2, "commands that apply or write under the policy refuse it: " + prune.output)
    }

    func testMissingFileIsAQuietExitOneAndDamageIsExitFourWithoutDestination() throws {
        let workspace = try Workspace(env, name: "walget")
        try workspace.initialize()
        let segment = try completedSegmentCopy(into: workspace.directory)
        let name = (segment as NSString).lastPathComponent
        XCTAssertEqual(try workspace.lifeboat(["wal", "push", segment]).status, 0)

        let destinations = workspace.directory + "/dest"
        try FileManager.default.createDirectory(atPath: destinations, withIntermediateDirectories: true)
        for missing in ["00000002.history", "0000000100000000000000FE", "00000005000000000000000A.partial"] {
            let result = try workspace.lifeboat(["wal", "get", missing, destinations + "/RECOVERYXLOG"])
            XCTAssertEqual(result.status, 1, result.output)
            XCTAssertLessThanOrEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
            XCTAssertFalse(result.stderr.contains("error"), result.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: destinations + "/RECOVERYXLOG"))
        }
        let informative = try workspace.lifeboat(
            ["wal", "get", "00000002.history", destinations + "/RECOVERYHISTORY"],
            environment: ["LIFEBOAT_LOG_LEVEL": "info"])
        XCTAssertEqual(informative.status, 1)
        XCTAssertEqual(informative.stderr.split(separator: "\n").count, 1, informative.stderr)

        // A flipped byte in the stored object: integrity failure naming it, DEST never created, no temp left.
        let objectFile = try XCTUnwrap(try workspace.walObjects(name).first)
        let object = workspace.repository + "/" + objectFile
        var sealed = try XCTUnwrap(FileManager.default.contents(atPath: object))
        sealed[sealed.count / 2] ^= 0x01
        try sealed.write(to: URL(fileURLWithPath: object))
        let damaged = try workspace.lifeboat(["wal", "get", name, destinations + "/RECOVERYXLOG"])
        XCTAssertEqual(damaged.status, 4, damaged.output)
        XCTAssertTrue(damaged.stderr.contains(objectFile), damaged.stderr)
        // The prefetcher's spool beside DEST (`lifeboat-prefetch/`, started once a record is found) is not DEST: it
        // holds only files that are authenticated again before they are served.
        let leftovers = {
            try FileManager.default.contentsOfDirectory(atPath: destinations).filter { $0 != "lifeboat-prefetch" }
        }
        XCTAssertEqual(try leftovers(), [], "DEST or a temporary file was left behind")

        // A record without its object (deleted) is loud too: the archive claims a file it cannot deliver.
        try FileManager.default.removeItem(atPath: object)
        let lost = try workspace.lifeboat(["wal", "get", name, destinations + "/RECOVERYXLOG"])
        XCTAssertEqual(lost.status, 4, lost.output)
        XCTAssertTrue(lost.stderr.contains("missing"), lost.stderr)
        XCTAssertEqual(try leftovers(), [])

        // Re-pushing the identical file repairs the lost object (the record binds the plaintext, not the ciphertext).
        let repaired = try workspace.lifeboat(["wal", "push", segment, "--json"])
        XCTAssertEqual(repaired.status, 0, repaired.output)
        XCTAssertEqual(try workspace.json(repaired)["already_archived"] as? Bool, true)
        XCTAssertNotNil(try workspace.json(repaired)["stored_size"] as? Int, "the object was not stored again")
        XCTAssertEqual(try workspace.walObjects(name), [objectFile], "stored again under the name its record gives")
        XCTAssertEqual(try workspace.lifeboat(["wal", "get", name, destinations + "/RECOVERYXLOG"]).status, 0)
        XCTAssertEqual(
            FileManager.default.contents(atPath: destinations + "/RECOVERYXLOG"),
            FileManager.default.contents(atPath: segment))
    }

    func testHistoryFilesSystemIdentifierAndNoClusterLock() throws {
        let workspace = try Workspace(env, name: "walhist")
        try workspace.initialize()
        // A backup holding the cluster lock does not stop archiving.
        let lock = #"{"command":"lifeboat backup","host":"elsewhere.example","pid":1,"started":"2026-11-21T03:00:00Z"}"#
        try FileManager.default.createDirectory(
            atPath: workspace.repository + "/locks", withIntermediateDirectories: true)
        try lock.write(toFile: workspace.repository + "/locks/cluster-main.lock", atomically: true, encoding: .utf8)
        let segment = try completedSegmentCopy(into: workspace.directory)
        let pushed = try workspace.lifeboat(["wal", "push", segment])
        XCTAssertEqual(pushed.status, 0, pushed.output)

        // History files are stored under history/ and come back exactly.
        let history = workspace.directory + "/00000002.history"
        try "1\t0/3000000\tno recovery target specified\n".write(toFile: history, atomically: true, encoding: .utf8)
        XCTAssertEqual(try workspace.lifeboat(["wal", "push", history]).status, 0)
        XCTAssertEqual(
            try workspace.walObjects("00000002.history").map { ($0 as NSString).deletingLastPathComponent },
            ["wal/main/history"])
        let back = workspace.directory + "/RECOVERYHISTORY"
        XCTAssertEqual(try workspace.lifeboat(["wal", "get", "00000002.history", back]).status, 0)
        XCTAssertEqual(FileManager.default.contents(atPath: back), FileManager.default.contents(atPath: history))

        // A segment of another database system (another xlp_sysid) is refused by name.
        let name = (segment as NSString).lastPathComponent
        let foreignDirectory = workspace.directory + "/foreign"
        try FileManager.default.createDirectory(atPath: foreignDirectory, withIntermediateDirectories: true)
        var foreign = try XCTUnwrap(FileManager.default.contents(atPath: segment))
        foreign[24] ^= 0xFF
        let next = String(name.prefix(16)) + String(format: "%08X", (UInt32(name.suffix(8), radix: 16) ?? 0) + 1)
        // Keep the header consistent with the new name so only the system identifier differs.
        var address = foreign[8..<16].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } + (16 << 20)
        foreign.replaceSubrange(8..<16, with: Data(bytes: &address, count: 8))
        try foreign.write(to: URL(fileURLWithPath: foreignDirectory + "/" + next))
        let refused = try workspace.lifeboat(["wal", "push", foreignDirectory + "/" + next])
        XCTAssertEqual(refused.status, 1, refused.output)
        XCTAssertTrue(refused.stderr.contains("database system"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains(next), refused.stderr)
        XCTAssertNil(try workspace.repositoryFiles()["wal/main/00000001/\(next).meta.lbx"])

        // Junk is refused before anything is read; path tricks in NAME too.
        XCTAssertEqual(try workspace.lifeboat(["wal", "push", "/etc/passwd"]).status, 2)
        XCTAssertEqual(try workspace.lifeboat(["wal", "get", "../\(name)", back]).status, 2)
        XCTAssertEqual(try workspace.lifeboat(["wal", "get", "/tmp/\(name)", back]).status, 2)
    }

    // MARK: S3

    func testPushAndGetOnS3() throws {
        let s3 = try S3TestServer.require()
        let credentials = s3.credentials
        let workspace = try Workspace(env, name: "wals3")
        try workspace.generateKey()
        try s3.writeConfig(workspace, prefix: "wal-\(UUID().uuidString.prefix(8).lowercased())", database: "postgres")
        XCTAssertEqual(try workspace.lifeboat(["init"], environment: credentials).status, 0)
        let segment = try completedSegmentCopy(into: workspace.directory)
        let name = (segment as NSString).lastPathComponent
        let pushed = try workspace.lifeboat(["wal", "push", segment, "--json"], environment: credentials)
        XCTAssertEqual(pushed.status, 0, pushed.output)
        XCTAssertEqual(try workspace.json(pushed)["already_archived"] as? Bool, false)
        let object = try XCTUnwrap(try workspace.json(pushed)["object"] as? String)
        XCTAssertTrue(
            object.hasPrefix("wal/main/00000001/\(name).") && object.hasSuffix(".lbx")
                && !object.hasSuffix(".meta.lbx"), object)
        let again = try workspace.lifeboat(["wal", "push", segment, "--json"], environment: credentials)
        XCTAssertEqual(try workspace.json(again)["already_archived"] as? Bool, true, again.output)
        let restored = workspace.directory + "/" + name + ".restored"
        let get = try workspace.lifeboat(["wal", "get", name, restored], environment: credentials)
        XCTAssertEqual(get.status, 0, get.output)
        XCTAssertEqual(FileManager.default.contents(atPath: restored), FileManager.default.contents(atPath: segment))
        let missing = try workspace.lifeboat(
            ["wal", "get", "00000002.history", restored + ".h"], environment: credentials)
        XCTAssertEqual(missing.status, 1, missing.output)
        XCTAssertEqual(missing.stderr, "")
    }

    // MARK: helpers

    /// Switches to a new segment and copies the completed one; returns the copy's path (named like the segment).
    func completedSegmentCopy(into directory: String) throws -> String {
        let admin = try env.admin()
        defer { admin.close() }
        let table = TestEnvironment.uniqueName("walseg")
        try admin.execute("CREATE TABLE \(table) AS SELECT i FROM generate_series(1, 1000) AS i")
        try admin.execute("DROP TABLE \(table)")
        let name = try XCTUnwrap(admin.query("SELECT pg_walfile_name(pg_switch_wal())").rows.first?[0] ?? nil)
        let pgWAL = try XCTUnwrap(admin.query("SHOW data_directory").rows.first?[0] ?? nil) + "/pg_wal"
        let copy = directory + "/" + name
        try FileManager.default.copyItem(atPath: pgWAL + "/" + name, toPath: copy)
        return copy
    }

    struct ArchiverCounts {
        let archived: Int
        let failed: Int
        let lastArchived: String
    }

    func archiverCounts(_ admin: PGConnection) throws -> ArchiverCounts {
        let row = try XCTUnwrap(
            admin.query("SELECT archived_count, failed_count, coalesce(last_archived_wal, '') FROM pg_stat_archiver")
                .rows.first)
        return ArchiverCounts(
            archived: Int(row[0] ?? "") ?? -1, failed: Int(row[1] ?? "") ?? -1, lastArchived: row[2] ?? "")
    }

    /// Waits (30 s at most) until `count` more files are archived, `last` among them, with no new failure.
    func waitForArchiver(_ admin: PGConnection, baseline: ArchiverCounts, count: Int, last: String) throws {
        let deadline = Date().addingTimeInterval(30)
        var counts = baseline
        while Date() < deadline {
            counts = try archiverCounts(admin)
            XCTAssertEqual(counts.failed, baseline.failed, "archive_command failed: see the server log")
            if counts.failed != baseline.failed { return }
            if counts.archived >= baseline.archived + count, counts.lastArchived >= last { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTFail(
            "the archiver did not archive \(count) files within 30 s (archived \(counts.archived - baseline.archived), last '\(counts.lastArchived)')"
        )
    }
}
