// wal push archives other .ready segments in parallel and marks them; PostgreSQL's later call for a marked
// segment succeeds from the marker without the repository; a marker that does not match the file is ignored.
// End to end: a backlog built while archiving failed drains through the scratch server with push_parallel.
import Foundation
import PGClient
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class WALReadyPushTests: XCTestCase {
    var env: TestEnvironment!

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    func testReadySegmentsArePushedEarlyAndTheirMarkersAnswerLaterPushes() throws {
        // Archiving fails until the end, so the switched segments wait in pg_wal as .ready files.
        let options = ArchivingOptions(table: "(id integer)", archiving: false, snapshot: false)
        let scenario = try archivingScenario(env, name: "ready", options)
        let (workspace, admin, table) = (scenario.workspace, scenario.admin, scenario.table)
        let dataDirectory = try XCTUnwrap(admin.query("SHOW data_directory").rows.first?[0] ?? nil)
        var names: [String] = []
        for round in 1...6 {
            try admin.execute("INSERT INTO \(table) SELECT generate_series(1, \(round * 100))")
            names.append(try scenario.switchWAL())
        }

        // A copy of pg_wal with its .ready files: the first push takes four more along.
        let pgWAL = workspace.directory + "/copy/pg_wal"
        try FileManager.default.createDirectory(atPath: pgWAL + "/archive_status", withIntermediateDirectories: true)
        for name in names {
            try FileManager.default.copyItem(atPath: dataDirectory + "/pg_wal/" + name, toPath: pgWAL + "/" + name)
            _ = FileManager.default.createFile(atPath: pgWAL + "/archive_status/" + name + ".ready", contents: nil)
        }
        let first = try workspace.lifeboat(["wal", "push", pgWAL + "/" + names[0], "--json"])
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertEqual(try workspace.json(first)["also_pushed"] as? [String], Array(names[1...4]), first.stdout)
        let markers = try FileManager.default.contentsOfDirectory(atPath: pgWAL + "/lifeboat-pushed").sorted()
        XCTAssertEqual(markers, Array(names[1...4]))

        // A mismatching marker is ignored (the record decides); a matching one needs no repository at all.
        try "16777216 \(String(repeating: "0", count: 64))\n".write(
            toFile: pgWAL + "/lifeboat-pushed/" + names[2], atomically: true, encoding: .utf8)
        let mismatch = try workspace.lifeboat(["wal", "push", pgWAL + "/" + names[2], "--json"])
        XCTAssertEqual(mismatch.status, 0, mismatch.output)
        XCTAssertEqual(try workspace.json(mismatch)["already_archived"] as? Bool, true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: pgWAL + "/lifeboat-pushed/" + names[2]))
        let away = workspace.repository + ".away"
        XCTAssertEqual(rename(workspace.repository, away), 0)
        let marked = try workspace.lifeboat(["wal", "push", pgWAL + "/" + names[1], "--json"])
        XCTAssertEqual(rename(away, workspace.repository), 0)
        XCTAssertEqual(marked.status, 0, marked.output)
        XCTAssertEqual(try workspace.json(marked)["already_archived"] as? Bool, true, marked.stdout)
        XCTAssertEqual(
            try workspace.json(marked)["object"] as? String, try workspace.walObjects(names[1]).first,
            "the marker remembers the object the record names")
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: pgWAL + "/lifeboat-pushed/" + names[1]), "a used marker stays")
        for name in names.prefix(5) {
            let got = try workspace.lifeboat(["wal", "get", name, workspace.directory + "/" + name])
            XCTAssertEqual(got.status, 0, got.output)
            XCTAssertEqual(
                try Data(contentsOf: URL(fileURLWithPath: workspace.directory + "/" + name)),
                try Data(contentsOf: URL(fileURLWithPath: pgWAL + "/" + name)), name)
        }

        // End to end: the server's backlog drains through archive_command, and no marker is left behind.
        try chownToPostgres(workspace.directory)  // the pushes above ran as this user, archive_command runs as postgres
        try scenario.startArchiving()
        try waitUntilArchived(admin, names.last!)
        let left =
            (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory + "/pg_wal/lifeboat-pushed")) ?? []
        XCTAssertTrue(Set(left).isDisjoint(with: names), "markers left: \(left)")
    }
}
