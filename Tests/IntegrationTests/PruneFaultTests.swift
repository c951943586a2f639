// The fault suite for prune (docs/faults.md): one repository with expired backups, expired WAL, a kept WAL file
// and an old WAL leftover is copied once per failpoint; prune is killed there, then the next prune must finish
// the work — the same end state as an uninterrupted run — and every backup `list` shows must still verify, as
// must the archived WAL.
import Foundation
import XCTest

final class PruneFaultTests: XCTestCase {
    static let points = [
        "prune.journal.before", "prune.delete.before", "prune.delete.after", "prune.wal.delete.before",
    ]
    static let policy = """
        safety: { min_age: 0s, min_complete: 1 }
        keep: { logical: { last: 1 } }
        wal: { pitr_window: 1h }
        """

    func testPruneKilledAtEachPointIsFinishedByTheNextRun() throws {
        let env = try TestEnvironment.require()
        let (original, source) = try sampleWorkspace(env, name: "prunefault", rows: 200, policy: Self.policy)
        for index in 0..<3 {
            if index > 0 { Thread.sleep(forTimeInterval: 1.05) }
            XCTAssertEqual(try original.lifeboat(["backup"]).status, 0)
        }
        let newest = try XCTUnwrap(try listed(original).last)

        // WAL: three files archived three hours ago (expired: no snapshot keeps them, older than the PITR window),
        // one archived now (kept), and an object whose push died three hours ago (a leftover).
        let segments = try WALSegmentFiles(env)
        let pgWAL = original.directory + "/pg_wal"
        for number: UInt64 in 0x1000...0x1003 {
            XCTAssertEqual(try original.lifeboat(["wal", "push", try segments.write(number, into: pgWAL)]).status, 0)
        }
        let died = try original.lifeboat(
            ["wal", "push", try segments.write(0x1004, into: pgWAL)],
            environment: ["LIFEBOAT_FAILPOINTS": "wal.record.before=kill"])
        XCTAssertEqual(died.signal, SIGKILL, died.output)
        let old = (0x1000...0x1002).map { WALSegmentFiles.name($0) } + [WALSegmentFiles.name(0x1004)]
        let oldFiles = try original.repositoryFiles().keys.filter { key in old.contains { key.contains("/" + $0 + ".") }
        }
        try original.backdate(Array(oldFiles), by: 3 * 3600)

        for point in Self.points {
            let workspace = try copy(original, database: source)
            let killed = try workspace.lifeboat(["prune"], environment: ["LIFEBOAT_FAILPOINTS": "\(point)=kill"])
            XCTAssertEqual(killed.signal, SIGKILL, "\(point): \(killed.output)")
            try assertEverythingListedVerifies(workspace, point)

            let next = try workspace.lifeboat(["prune"])
            XCTAssertEqual(next.status, 0, "\(point): \(next.output)")
            XCTAssertEqual(try listed(workspace), [newest], point)
            try assertEverythingListedVerifies(workspace, point)
            let wal = try workspace.repositoryFiles().keys.filter { $0.hasPrefix("wal/main/00000001/") }
            let kept = WALSegmentFiles.name(0x1003)
            XCTAssertEqual(
                wal.filter { !($0 as NSString).lastPathComponent.hasPrefix(kept + ".") }, [],
                "\(point): expired WAL and the old leftover are gone")
            XCTAssertEqual(try workspace.walObjects(kept).count, 1, "\(point): the kept file stays")
            let (get, bytes) = try workspace.walGet(kept)
            XCTAssertEqual(get.status, 0, "\(point): \(get.output)")
            XCTAssertEqual(bytes, segments.bytes(0x1003), point)
        }
    }

    func listed(_ workspace: Workspace) throws -> [String] {
        let listing = try workspace.json(try workspace.lifeboat(["list", "--json"]))
        return (listing["backups"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
    }

    func assertEverythingListedVerifies(_ workspace: Workspace, _ point: String) throws {
        for id in try listed(workspace) {
            let verified = try workspace.lifeboat(["verify", id])
            XCTAssertEqual(verified.status, 0, "\(point): listed backup \(id) does not verify: \(verified.output)")
        }
        let wal = try workspace.lifeboat(["verify", "--wal"])
        XCTAssertEqual(wal.status, 0, "\(point): \(wal.output)")
    }

    /// A new workspace holding a copy of `original`'s key, policy and repository (modification times kept).
    func copy(_ original: Workspace, database: String) throws -> Workspace {
        let workspace = try Workspace(original.env, name: "prunefault")
        for (from, to) in [
            (original.keyFile, workspace.keyFile), (original.repository, workspace.repository),
            (original.directory + "/retention.yml", workspace.directory + "/retention.yml"),
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/cp")
            process.arguments = ["-a", from, to]
            try process.run()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "cp -a \(from) \(to)")
        }
        try workspace.writeConfig(database: database, extra: "policy: retention.yml")
        return workspace
    }
}
