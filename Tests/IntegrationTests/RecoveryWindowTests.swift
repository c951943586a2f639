// Recoverable window, WAL gaps, `verify --wal` and `status` through the built binary, against the scratch
// PostgreSQL archiving into the test's file repository: a snapshot, then a few WAL switches; `list` shows a
// window from the snapshot to the newest segment; deleting a middle segment (record and object) makes `list`
// show the gap, `verify --wal` exit 4 naming it, and the window end at the segment before it; `status` compares
// the newest recoverable point with --rpo (exit 0 / 3), and a repository with nothing recoverable is exit 1.
import Foundation
import PGClient
import XCTest

final class RecoveryWindowTests: XCTestCase {
    var env: TestEnvironment!

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    func testWindowGapsVerifyWALAndStatus() throws {
        let scenario = try archivingScenario(env, name: "window", ArchivingOptions(table: "(id integer)"))
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        let snapshotId = try scenario.snapshotID()
        var names: [String] = []
        for round in 1...4 {
            try admin.execute("INSERT INTO \(table) SELECT generate_series(1, \(round * 100))")
            names.append(try scenario.switchWAL())
        }
        try waitUntilArchived(admin, try XCTUnwrap(names.last))

        // The window runs from the snapshot to the newest segment, without gaps.
        let listed = try workspace.lifeboat(["list", "--json"])
        XCTAssertEqual(listed.status, 0, listed.output)
        let listing = try workspace.json(listed)
        let window = try XCTUnwrap(listing["recovery_window"] as? [String: Any], listed.stdout)
        XCTAssertEqual(window["to_wal"] as? String, names.last, listed.stdout)
        XCTAssertEqual(window["from_backup"] as? String, snapshotId)
        XCTAssertEqual(window["timeline"] as? Int, 1)
        XCTAssertEqual((listing["wal_gaps"] as? [Any])?.count, 0, listed.stdout)
        let text = try workspace.lifeboat(["list"])
        XCTAssertTrue(text.stdout.contains("recoverable window: ") && text.stdout.contains("(timeline 1"), text.stdout)
        XCTAssertFalse(text.stdout.contains("WAL gap"), text.stdout)
        let clean = try workspace.lifeboat(["verify", "--wal"])
        XCTAssertEqual(clean.status, 0, clean.output)
        XCTAssertTrue(clean.stdout.contains("no gaps"), clean.stdout)

        // status: within a 1h objective now, exceeded two hours after the newest recoverable point.
        let toTime = try XCTUnwrap(parse(try XCTUnwrap(window["to_time"] as? String)))
        let ok = try workspace.lifeboat(["status", "--rpo", "1h"])
        XCTAssertEqual(ok.status, 0, ok.output)
        XCTAssertTrue(ok.stdout.hasPrefix("RPO exposure ") && ok.stdout.contains("(objective 1h): ok"), ok.stdout)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let later = formatter.string(from: toTime.addingTimeInterval(7200))
        let exceeded = try workspace.lifeboat(["status", "--rpo", "1h", "--now", later])
        XCTAssertEqual(exceeded.status, 3, exceeded.output)
        XCTAssertTrue(
            exceeded.stdout.contains("RPO exposure 2h") && exceeded.stdout.contains("EXCEEDED"), exceeded.stdout)
        let statusJSON = try workspace.json(
            try workspace.lifeboat(["status", "--rpo", "1h", "--now", later, "--json"]))
        XCTAssertEqual(statusJSON["status"] as? String, "exceeded")
        XCTAssertEqual(statusJSON["source"] as? String, "wal_archive")
        XCTAssertEqual(statusJSON["objective_seconds"] as? Double, 3600)

        // A middle segment disappears (record and object): list shows the gap, the window ends before it,
        // verify --wal fails with exit 4 naming the missing segment.
        let missing = names[1]
        for file in try workspace.walObjects(missing) + ["wal/main/00000001/\(missing).meta.lbx"] {
            try FileManager.default.removeItem(atPath: workspace.repository + "/" + file)
        }
        let gapped = try workspace.lifeboat(["list"])
        XCTAssertEqual(gapped.status, 0, gapped.output)
        XCTAssertTrue(
            gapped.stdout.contains("WAL gap on timeline 1: \(missing) … \(missing) (1 segment)"), gapped.stdout)
        let gappedJSON = try workspace.json(try workspace.lifeboat(["list", "--json"]))
        let gaps = try XCTUnwrap(gappedJSON["wal_gaps"] as? [[String: Any]])
        XCTAssertEqual(gaps.count, 1)
        XCTAssertEqual(gaps.first?["first"] as? String, missing)
        XCTAssertEqual(gaps.first?["segments"] as? Int, 1)
        XCTAssertEqual((gappedJSON["recovery_window"] as? [String: Any])?["to_wal"] as? String, names[0])
        let verify = try workspace.lifeboat(["verify", "--wal"])
        XCTAssertEqual(verify.status, 4, verify.output)
        XCTAssertTrue(verify.output.contains(missing), verify.output)
        let quiet = try workspace.lifeboat(["verify", "--wal", "--quiet"])
        XCTAssertEqual(quiet.status, 4)
        XCTAssertTrue(quiet.stderr.contains(missing), quiet.stderr)
        // With --all too, the backups are verified (intact) and the WAL gap still fails the run.
        let both = try workspace.lifeboat(["verify", "--all", "--wal", "--json"])
        XCTAssertEqual(both.status, 4, both.output)
        let bothJSON = try workspace.json(both)
        XCTAssertEqual(
            (bothJSON["checks"] as? [[String: Any]])?.allSatisfy { $0["ok"] as? Bool == true }, true, both.stdout)
        XCTAssertEqual(((bothJSON["wal"] as? [String: Any])?["gaps"] as? [Any])?.count, 1, both.stdout)

        // A damaged object is an authenticity failure of verify --wal, named.
        let damagedName = names[2]
        let object = workspace.repository + "/" + (try XCTUnwrap(try workspace.walObjects(damagedName).first))
        var sealed = try XCTUnwrap(FileManager.default.contents(atPath: object))
        sealed[sealed.count / 2] ^= 0x01
        try sealed.write(to: URL(fileURLWithPath: object))
        let damaged = try workspace.lifeboat(["verify", "--wal"])
        XCTAssertEqual(damaged.status, 4, damaged.output)
        XCTAssertTrue(damaged.stdout.contains("FAILED wal \(damagedName)"), damaged.stdout)

        // The window still ends at names[0], well within 1h.
        XCTAssertEqual(try workspace.lifeboat(["status", "--rpo", "1h"]).status, 0)
    }

    func testNothingRecoverableAndNoWALSaysNothingExtra() throws {
        let workspace = try Workspace(env, name: "empty")
        try workspace.initialize()
        let listed = try workspace.lifeboat(["list"])
        XCTAssertEqual(listed.status, 0, listed.output)
        XCTAssertFalse(listed.stdout.contains("window") || listed.stdout.contains("WAL"), listed.stdout)
        let json = try workspace.json(try workspace.lifeboat(["list", "--json"]))
        XCTAssertNil(json["recovery_window"])
        XCTAssertNil(json["wal_gaps"])
        let status = try workspace.lifeboat(["status"])
        XCTAssertEqual(status.status, 1, status.output)
        XCTAssertTrue(status.stdout.contains("nothing recoverable"), status.stdout)
        XCTAssertEqual(try workspace.lifeboat(["status", "--rpo", "soon"]).status, 2)
        XCTAssertEqual(try workspace.lifeboat(["verify", "--wal"]).status, 0)
    }

    // MARK: helpers

    func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

}
