// wal push's commit point (docs/format.md §8.4): two pushes of different files under one name — two restores
// promoted onto the same new timeline — race, round after round, and the archive must always name exactly the
// winner's bytes: one push succeeds and the other fails loudly (or both fail), `wal get` returns the winner's
// bytes and never exits 4, and the loser leaves no object behind. Identical pushes all succeed. A repository
// written before per-push object names still reads, re-pushes and prunes.
import Catalog
import Engine
import Foundation
import Storage
import TestSupport
import XCTest

final class WALCommitTests: XCTestCase {
    var env: TestEnvironment!

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    func testConcurrentPushesOfDifferentFilesUnderOneNameHaveExactlyOneWinner() throws {
        let workspace = try Workspace(env, name: "walrace")
        try workspace.initialize()
        try race(workspace, rounds: 20)
    }

    func testConcurrentPushesOnS3HaveExactlyOneWinner() throws {
        let s3 = try S3TestServer.require()
        let workspace = try Workspace(env, name: "walraces3")
        try workspace.generateKey()
        try s3.writeConfig(
            workspace, prefix: "walrace-\(UUID().uuidString.prefix(8).lowercased())", database: "postgres")
        XCTAssertEqual(try workspace.lifeboat(["init"], environment: s3.credentials).status, 0)
        try race(workspace, rounds: 5, environment: s3.credentials, countObjects: false)
    }

    /// Each round: segment `base + round` pushed by two processes at once, one file each.
    func race(_ workspace: Workspace, rounds: UInt64, environment: [String: String] = [:], countObjects: Bool = true)
        throws
    {
        let segments = try WALSegmentFiles(env)
        let base: UInt64 = 0x0A00
        for round in 0..<rounds {
            let name = WALSegmentFiles.name(base + round)
            let paths = try [1, 2].map { side in
                try segments.write(base + round, variant: UInt8(side), into: workspace.directory + "/side\(side)")
            }
            let pushes = try paths.map { path in
                try LifeboatProcess(
                    env, ["--config", workspace.configPath, "--no-progress", "wal", "push", path],
                    environment: environment)
            }
            let results = pushes.map { $0.wait() }
            let winners = zip(paths, results).filter { $0.1.status == 0 }.map(\.0)
            XCTAssertLessThanOrEqual(
                winners.count, 1, "round \(round): two different files were both accepted as \(name)")
            for result in results where result.status != 0 {
                XCTAssertEqual(result.status, 1, "round \(round): \(result.output)")
                XCTAssertTrue(result.stderr.contains("error"), "round \(round): a loser fails loudly: \(result.output)")
            }
            let destination = workspace.directory + "/restored-\(name)"
            let get = try workspace.lifeboat(["wal", "get", name, destination], environment: environment)
            XCTAssertNotEqual(get.status, 4, "round \(round): the record names bytes that are not there: \(get.output)")
            if let winner = winners.first {
                XCTAssertEqual(get.status, 0, "round \(round): \(get.output)")
                XCTAssertEqual(
                    FileManager.default.contents(atPath: destination), FileManager.default.contents(atPath: winner),
                    "round \(round): wal get does not return the winner's bytes")
            } else {
                XCTAssertEqual(get.status, 1, "round \(round): nobody won, so nothing is archived: \(get.output)")
            }
            if countObjects {
                XCTAssertEqual(
                    try workspace.walObjects(name).count, winners.count,
                    "round \(round): the loser left its object behind")
            }
            for path in paths + [destination] { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    func testIdenticalConcurrentPushesAndRepushesSucceed() throws {
        let workspace = try Workspace(env, name: "walsame")
        try workspace.initialize()
        let segments = try WALSegmentFiles(env)
        for round: UInt64 in 0..<3 {
            let paths = try [1, 2].map { side in
                try segments.write(0x0B00 + round, into: workspace.directory + "/side\(side)")
            }
            let results = try paths.map { path in
                try LifeboatProcess(env, ["--config", workspace.configPath, "--no-progress", "wal", "push", path])
            }.map { $0.wait() }
            for result in results {
                XCTAssertEqual(result.status, 0, "round \(round): an identical push must succeed: \(result.output)")
            }
            let name = WALSegmentFiles.name(0x0B00 + round)
            let (get, bytes) = try workspace.walGet(name)
            XCTAssertEqual(get.status, 0, get.output)
            XCTAssertEqual(bytes, segments.bytes(0x0B00 + round))
            XCTAssertEqual(try workspace.walObjects(name).count, 1, "round \(round): one object per archived name")
            let again = try workspace.lifeboat(["wal", "push", paths[0], "--json"])
            XCTAssertEqual(again.status, 0, again.output)
            XCTAssertEqual(try workspace.json(again)["already_archived"] as? Bool, true, again.stdout)
        }
    }

    /// Records written before per-push object names have no `object` and point at `<name>.lbx`.
    func testRepositoriesWrittenBeforePerPushObjectNamesStillWork() throws {
        let workspace = try Workspace(env, name: "wallegacy")
        try workspace.initialize()
        try PruneTests.policy.write(toFile: workspace.directory + "/retention.yml", atomically: true, encoding: .utf8)
        try workspace.writeConfig(extra: "policy: retention.yml")
        let segments = try WALSegmentFiles(env)
        let path = try segments.write(0x0C00, into: workspace.directory + "/pg_wal")
        let name = WALSegmentFiles.name(0x0C00)
        XCTAssertEqual(try workspace.lifeboat(["wal", "push", path]).status, 0)
        try convertToLegacyLayout(workspace, name: name)
        let legacyObject = "wal/main/00000001/\(name).lbx"
        XCTAssertEqual(try workspace.walObjects(name), [legacyObject])

        let (get, bytes) = try workspace.walGet(name)
        XCTAssertEqual(get.status, 0, get.output)
        XCTAssertEqual(bytes, segments.bytes(0x0C00))
        XCTAssertEqual(try workspace.lifeboat(["verify", "--wal"]).status, 0)
        let again = try workspace.lifeboat(["wal", "push", path, "--json"])
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertEqual(try workspace.json(again)["already_archived"] as? Bool, true)
        let different = try segments.write(0x0C00, variant: 1, into: workspace.directory + "/other")
        XCTAssertEqual(
            try workspace.lifeboat(["wal", "push", different]).status, 1, "an archived name is never overwritten")

        // prune leaves the object its legacy record commits, however old; a lost legacy object is repaired in place.
        try workspace.backdate(try workspace.walObjects(name) + ["wal/main/00000001/\(name).meta.lbx"], by: 3 * 3600)
        let pruned = try workspace.lifeboat(["prune"])
        XCTAssertEqual(pruned.status, 0, pruned.output)
        XCTAssertEqual(try workspace.walObjects(name), [legacyObject])
        try FileManager.default.removeItem(atPath: workspace.repository + "/" + legacyObject)
        XCTAssertEqual(try workspace.lifeboat(["wal", "push", path]).status, 0)
        XCTAssertEqual(try workspace.walObjects(name), [legacyObject])
        XCTAssertEqual(try workspace.walGet(name).1, segments.bytes(0x0C00))
    }

    /// Rewrites `name`'s record and object as a release before per-push object names wrote them: record
    /// format_version 1 without `object`, object at `<name>.lbx`.
    func convertToLegacyLayout(_ workspace: Workspace, name: String) throws {
        let history = try RepositoryHistory(configPath: workspace.configPath, repositoryRoot: workspace.repository)
        let repository = history.catalog.repository
        let recordKey = try ObjectKey("wal/main/00000001/\(name).meta.lbx")
        let plaintext = try repository.getSealed(recordKey, lookup: history.catalog.keyring.lookup)
        var record = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(plaintext)) as? [String: Any])
        record["object"] = nil
        record["format_version"] = 1
        let legacy = try JSONSerialization.data(withJSONObject: record)
        try repository.putSealed(recordKey, bytes: Array(legacy), with: history.catalog.keyring.current)
        let objects = try workspace.walObjects(name)
        XCTAssertEqual(objects.count, 1, "\(objects)")
        let legacyPath = workspace.repository + "/wal/main/00000001/\(name).lbx"
        if workspace.repository + "/" + objects[0] != legacyPath {
            try FileManager.default.moveItem(atPath: workspace.repository + "/" + objects[0], toPath: legacyPath)
        }
    }
}
