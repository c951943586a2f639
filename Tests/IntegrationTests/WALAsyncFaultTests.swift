// The fault suite for asynchronous archiving (docs/faults.md, format.md §8.6), on a pg_wal of real segments with
// `.ready` files, playing PostgreSQL's archiver: the background pusher killed between a commit and its marker
// (SIGKILL, mid-batch) or failing there (eio) loses nothing — every `wal push` that exits 0 names a segment whose
// record exists with exactly its bytes, the ones it could not confirm succeed on PostgreSQL's retry, and
// `verify --wal` finds nothing wrong. An archive_command killed after confirming never reported success. A file
// rewritten in place under an unchanged marker is never confirmed by that marker's identity.
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
                _ = FileManager.default.createFile(
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
        _ = FileManager.default.createFile(
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

extension WALAsyncFaultTests {
    /// A marker vouches for a file by its identity (format.md §8.6) only while the file is unchanged: the same
    /// name rewritten in place with other bytes of the same size (same inode, new change time) is hashed, does not
    /// match, loses its marker and is refused by its record; the unchanged one is confirmed without hashing.
    /// Also archives with a fast zstd level (wal.compression_level -1) and reads it back.
    func testFileRewrittenInPlaceIsNotConfirmedByItsMarker() throws {
        let env = try TestEnvironment.require()
        let files = try WALSegmentFiles(env)
        let workspace = try Workspace(env, name: "walasyncidentity")
        try workspace.generateKey()
        try workspace.writeConfig(
            extra: "wal: { async: true, spool_dir: spool, async_timeout: 30, compression_level: -1 }")
        XCTAssertEqual(try workspace.lifeboat(["init"]).status, 0)
        let spool = workspace.directory + "/spool/main"
        defer { try? stopPusher(spool: spool) }
        let pgWAL = workspace.directory + "/pg_wal"
        try FileManager.default.createDirectory(atPath: pgWAL + "/archive_status", withIntermediateDirectories: true)
        let (kept, rewritten) = (UInt64(0x0E30), UInt64(0x0E31))
        for number in [kept, rewritten] {
            try files.write(number, into: pgWAL)
            _ = FileManager.default.createFile(
                atPath: pgWAL + "/archive_status/" + WALSegmentFiles.name(number) + ".ready", contents: nil)
        }
        Thread.sleep(forTimeInterval: 2.2)  // settled (WALFileIdentity.settle): the pusher records identities
        let pusher = try workspace.lifeboat(["wal", "pusher", "--pg-wal", pgWAL, "--idle-exit", "0.5"])
        XCTAssertEqual(pusher.status, 0, pusher.output)
        for number in [kept, rewritten] {
            let marker = try String(contentsOfFile: spool + "/" + WALSegmentFiles.name(number), encoding: .utf8)
            XCTAssertEqual(marker.split(separator: " ").count, 4, "a marker with the file's identity: \(marker)")
        }

        let info = ["LIFEBOAT_LOG_LEVEL": "info"]
        let same = try workspace.lifeboat(["wal", "push", pgWAL + "/" + WALSegmentFiles.name(kept)], environment: info)
        XCTAssertEqual(same.status, 0, same.output)
        XCTAssertTrue(same.stderr.contains("matched=identity"), same.stderr)

        let path = pgWAL + "/" + WALSegmentFiles.name(rewritten)
        let inode = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))  // in place: no truncation, same inode
        try handle.write(contentsOf: files.bytes(rewritten, variant: 1))
        try handle.close()
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int, inode)
        let changed = try workspace.lifeboat(["wal", "push", path], environment: info)
        XCTAssertEqual(changed.status, 1, changed.output)
        XCTAssertTrue(changed.stderr.contains("does not match the file"), changed.stderr)
        XCTAssertTrue(changed.stderr.contains("different file"), changed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: spool + "/" + WALSegmentFiles.name(rewritten)))
        XCTAssertEqual(try workspace.walGet(WALSegmentFiles.name(rewritten)).1, files.bytes(rewritten))
        XCTAssertEqual(try workspace.walGet(WALSegmentFiles.name(kept)).1, files.bytes(kept))
    }

    /// wal.queue_max: with the repository gone and more WAL waiting than allowed, `wal push` drops the segment —
    /// exit 0, a durable record, an error in the log — and the gap shows in `verify --wal` and `status`. Killed
    /// before its record, it dropped nothing (PostgreSQL asks again). Below the maximum nothing is ever dropped.
    func testQueueOverItsMaximumDropsLoudlyAndLeavesAVisibleGap() throws {
        let env = try TestEnvironment.require()
        let files = try WALSegmentFiles(env)
        let workspace = try Workspace(env, name: "walasyncdrop")
        try workspace.generateKey()
        try workspace.writeConfig(extra: "wal: { async: true, spool_dir: spool, async_timeout: 3, queue_max: 20MiB }")
        XCTAssertEqual(try workspace.lifeboat(["init"]).status, 0)
        let spool = workspace.directory + "/spool/main"
        defer { try? stopPusher(spool: spool) }
        let pgWAL = workspace.directory + "/pg_wal"
        try FileManager.default.createDirectory(atPath: pgWAL + "/archive_status", withIntermediateDirectories: true)
        let names = (0x0E20..<0x0E23).map { WALSegmentFiles.name(UInt64($0)) }
        func ready(_ index: Int) throws {
            try files.write(UInt64(0x0E20 + index), into: pgWAL)
            _ = FileManager.default.createFile(atPath: pgWAL + "/archive_status/\(names[index]).ready", contents: nil)
        }
        func archived(_ index: Int) {
            XCTAssertEqual(
                rename(pgWAL + "/archive_status/\(names[index]).ready", pgWAL + "/archive_status/\(names[index]).done"),
                0)
        }
        try ready(0)
        XCTAssertEqual(try workspace.lifeboat(["wal", "push", pgWAL + "/" + names[0]]).status, 0)
        archived(0)
        try stopPusher(spool: spool)

        // The repository is unreachable and 32 MiB wait (more than 20 MiB): the first segment is dropped.
        let away = workspace.repository + ".away"
        XCTAssertEqual(rename(workspace.repository, away), 0)
        try ready(1)
        try ready(2)
        let killed = try workspace.lifeboat(
            ["wal", "push", pgWAL + "/" + names[1]], environment: ["LIFEBOAT_FAILPOINTS": "wal.async.drop.before=kill"])
        XCTAssertEqual(killed.signal, SIGKILL, killed.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: spool + "/dropped/" + names[1]))
        let dropped = try workspace.lifeboat(["wal", "push", pgWAL + "/" + names[1], "--json"])
        XCTAssertEqual(dropped.status, 0, dropped.output)
        XCTAssertEqual(try workspace.json(dropped)["dropped"] as? Bool, true, dropped.stdout)
        XCTAssertTrue(dropped.stderr.contains("DROPPED, NOT ARCHIVED"), dropped.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: spool + "/dropped/" + names[1]))
        archived(1)
        // status cannot read the unreachable repository, but still shows the local queue and the drop.
        let metricsPath = workspace.directory + "/metrics.prom"
        let blind = try workspace.lifeboat(["status", "--metrics-file", metricsPath])
        XCTAssertNotEqual(blind.status, 0, blind.output)
        XCTAssertTrue(blind.stdout.contains("DROPPED") && blind.stdout.contains(names[1]), blind.output)
        let metrics = try String(contentsOfFile: metricsPath, encoding: .utf8)
        XCTAssertTrue(metrics.contains("lifeboat_wal_dropped_files{cluster=\"main\"} 1"), metrics)
        XCTAssertTrue(metrics.contains("lifeboat_wal_queue_files{cluster=\"main\"} 1"), metrics)

        // 16 MiB wait now: below the maximum nothing is dropped; the unreachable repository fails the call.
        let failed = try workspace.lifeboat(["wal", "push", pgWAL + "/" + names[2]])
        XCTAssertEqual(failed.status, 1, failed.output)
        XCTAssertEqual(rename(away, workspace.repository), 0)
        let pushed = try workspace.lifeboat(["wal", "push", pgWAL + "/" + names[2]])
        XCTAssertEqual(pushed.status, 0, pushed.output)
        archived(2)

        let verified = try workspace.lifeboat(["verify", "--wal"])
        XCTAssertEqual(verified.status, 4, verified.output)
        XCTAssertTrue(verified.output.contains(names[1]), verified.output)
        let status = try workspace.lifeboat(["status", "--json"])
        let async = try XCTUnwrap(try workspace.json(status)["wal_async"] as? [String: Any], status.stdout)
        XCTAssertEqual(async["dropped"] as? [String], [names[1]], status.stdout)
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
