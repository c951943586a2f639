// The fault suite for WAL archiving (docs/faults.md): `wal push` killed at each of its failpoints, then a plain
// retry — PostgreSQL's own behaviour after a failed archive_command — must succeed, `wal get` must return the
// file's exact bytes and `verify --wal` must find nothing wrong. `wal get` killed before its rename leaves no
// DEST, and its retry delivers the file.
import Foundation
import XCTest

final class WALFaultTests: XCTestCase {
    static let pushPoints = ["wal.object.before", "wal.object.after", "wal.record.before", "wal.record.after"]

    func testPushKilledAtEachPointIsFinishedByARetry() throws {
        let env = try TestEnvironment.require()
        let segments = try WALSegmentFiles(env)
        for (index, point) in Self.pushPoints.enumerated() {
            let workspace = try Workspace(env, name: "walfault")
            try workspace.initialize()
            let number = 0x0F00 + UInt64(index)
            let path = try segments.write(number, into: workspace.directory + "/pg_wal")
            let name = WALSegmentFiles.name(number)

            let killed = try workspace.lifeboat(
                ["wal", "push", path], environment: ["LIFEBOAT_FAILPOINTS": "\(point)=kill"])
            XCTAssertEqual(killed.signal, SIGKILL, "\(point): \(killed.output)")
            let archived = try workspace.walGet(name)
            XCTAssertTrue(
                archived.0.status == 0 || archived.0.status == 1,
                "\(point): archived or not, never damaged: \(archived.0.output)")
            if archived.0.status == 0 { XCTAssertEqual(archived.1, segments.bytes(number), point) }

            let retry = try workspace.lifeboat(["wal", "push", path])
            XCTAssertEqual(retry.status, 0, "\(point): \(retry.output)")
            let (get, bytes) = try workspace.walGet(name)
            XCTAssertEqual(get.status, 0, "\(point): \(get.output)")
            XCTAssertEqual(bytes, segments.bytes(number), point)
            let verified = try workspace.lifeboat(["verify", "--wal"])
            XCTAssertEqual(verified.status, 0, "\(point): \(verified.output)")
        }
    }

    func testGetKilledBeforeItsRenameLeavesNoDestination() throws {
        let env = try TestEnvironment.require()
        let segments = try WALSegmentFiles(env)
        let workspace = try Workspace(env, name: "walgetfault")
        try workspace.initialize()
        let path = try segments.write(0x0F10, into: workspace.directory + "/pg_wal")
        XCTAssertEqual(try workspace.lifeboat(["wal", "push", path]).status, 0)
        let name = WALSegmentFiles.name(0x0F10)
        let restored = workspace.directory + "/restored"
        try FileManager.default.createDirectory(atPath: restored, withIntermediateDirectories: true)

        let killed = try workspace.lifeboat(
            ["wal", "get", name, restored + "/RECOVERYXLOG"],
            environment: ["LIFEBOAT_FAILPOINTS": "wal.get.rename.before=kill"])
        XCTAssertEqual(killed.signal, SIGKILL, killed.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: restored + "/RECOVERYXLOG"), "DEST exists only complete")
        let retry = try workspace.lifeboat(["wal", "get", name, restored + "/RECOVERYXLOG"])
        XCTAssertEqual(retry.status, 0, retry.output)
        XCTAssertEqual(FileManager.default.contents(atPath: restored + "/RECOVERYXLOG"), segments.bytes(0x0F10))
        // The killed get's temporary file is gone too: the retry swept it (its pid no longer runs).
        let temporaries = try FileManager.default.contentsOfDirectory(atPath: restored).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(temporaries, [], "a killed get's temporary file stayed in pg_wal")
    }
}
