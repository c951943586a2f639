// The fault suite for asynchronous archiving (docs/faults.md, format.md §8.6), on a pg_wal of real segments with
// `.ready` files, playing PostgreSQL's archiver: the background pusher killed between a commit and its marker
// (SIGKILL, mid-batch) or failing there (eio) loses nothing — every `wal push` that exits 0 names a segment whose
// record exists with exactly its bytes, the ones it could not confirm succeed on PostgreSQL's retry, and
// `verify --wal` finds nothing wrong. An archive_command killed after confirming never reported success.
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class WALAsyncFaultTests: XCTestCase {
    static let segments: [UInt64] = Array(0x0E00..<0x0E06)

    func testPusherKilledOrFailingBeforeItsMarkerLosesNothing() throws {
        let env = try TestEnvironment.require()
        let files = try WALSegmentFiles(env)
        for faults in [
            "wal.pusher.marker.before=3*kill", "wal.pusher.marker.before=2*eio", "wal.pusher.marker.after=kill",
        ] {
            let workspace = try Workspace(env, name: "walasyncfault")
            try workspace.generateKey()
            try workspace.writeConfig(
                extra:
                    "wal: { async: true, spool_dir: spool, push_parallel: 2, async_timeout: 30, compression_level: 1 }")
            XCTAssertEqual(try workspace.lifeboat(["init"]).status, 0)
            let pgWAL = workspace.directory + "/pg_wal"
            try FileManager.default.createDirectory(
                atPath: pgWAL + "/archive_status", withIntermediateDirectories: true)
            for number in Self.segments {
                try files.write(number, into: pgWAL)
                FileManager.default.createFile(
                    atPath: pgWAL + "/archive_status/" + WALSegmentFiles.name(number) + ".ready", contents: nil)
            }

            // The pusher alone, mid-batch: whatever has a marker is committed with exactly its bytes.
            let pusher = try workspace.lifeboat(
                ["wal", "pusher", "--pg-wal", pgWAL, "--idle-exit", "1"], environment: ["LIFEBOAT_FAILPOINTS": faults])
            if faults.hasSuffix("kill") { XCTAssertEqual(pusher.signal, SIGKILL, "\(faults): \(pusher.output)") }
            let spool = workspace.directory + "/spool/main"
            for marker in try FileManager.default.contentsOfDirectory(atPath: spool) where marker.count == 24 {
                let number = try XCTUnwrap(Self.segments.first { WALSegmentFiles.name($0) == marker })
                XCTAssertEqual(try workspace.walGet(marker).1, files.bytes(number), "\(faults): marker of \(marker)")
            }

            // PostgreSQL's archiver: one call per segment, oldest first, retried after a failure; the faults stay
            // armed, so every pusher these calls start is killed (or fails) again at the same point.
            for number in Self.segments {
                let name = WALSegmentFiles.name(number)
                var pushed = try workspace.lifeboat(
                    ["wal", "push", pgWAL + "/" + name, "--json"], environment: ["LIFEBOAT_FAILPOINTS": faults])
                if pushed.status != 0 {  // failed: PostgreSQL keeps the segment and asks again
                    pushed = try workspace.lifeboat(["wal", "push", pgWAL + "/" + name, "--json"])
                }
                XCTAssertEqual(pushed.status, 0, "\(faults) \(name): \(pushed.output)")
                XCTAssertEqual(try workspace.walGet(name).1, files.bytes(number), "\(faults): \(name)")
                XCTAssertEqual(
                    rename(pgWAL + "/archive_status/\(name).ready", pgWAL + "/archive_status/\(name).done"), 0)
            }
            let verified = try workspace.lifeboat(["verify", "--wal"])
            XCTAssertEqual(verified.status, 0, "\(faults): \(verified.output)")
            try stopPusher(spool: spool)
        }
    }

    func testArchiveCommandKilledAfterConfirmingIsConfirmedAgain() throws {
        let env = try TestEnvironment.require()
        let files = try WALSegmentFiles(env)
        let workspace = try Workspace(env, name: "walasyncconfirm")
        try workspace.generateKey()
        try workspace.writeConfig(extra: "wal: { async: true, spool_dir: spool, async_timeout: 30 }")
        XCTAssertEqual(try workspace.lifeboat(["init"]).status, 0)
        let pgWAL = workspace.directory + "/pg_wal"
        try FileManager.default.createDirectory(atPath: pgWAL + "/archive_status", withIntermediateDirectories: true)
        let path = try files.write(0x0E10, into: pgWAL)
        FileManager.default.createFile(
            atPath: pgWAL + "/archive_status/\(WALSegmentFiles.name(0x0E10)).ready", contents: nil)

        let killed = try workspace.lifeboat(
            ["wal", "push", path], environment: ["LIFEBOAT_FAILPOINTS": "wal.async.confirm.after=kill"])
        XCTAssertEqual(killed.signal, SIGKILL, killed.output)
        let retry = try workspace.lifeboat(["wal", "push", path, "--json"])
        XCTAssertEqual(retry.status, 0, retry.output)
        XCTAssertEqual(try workspace.json(retry)["already_archived"] as? Bool, true)
        XCTAssertEqual(try workspace.walGet(WALSegmentFiles.name(0x0E10)).1, files.bytes(0x0E10))
        try stopPusher(spool: workspace.directory + "/spool/main")
    }
}

extension XCTestCase {
    /// Stops the detached pusher a test's `wal push` started (it would exit by itself once idle).
    func stopPusher(spool: String) throws {
        guard let data = FileManager.default.contents(atPath: spool + "/pusher.json"),
            let state = try JSONSerialization.jsonObject(with: data) as? [String: Any], let pid = state["pid"] as? Int
        else { return }
        if state["phase"] as? String != "stopped" { kill(pid_t(pid), SIGTERM) }
    }
}
