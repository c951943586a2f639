// Tampering, truncation, missing objects and wrong keys are integrity failures (exit 4) that name the
// object, and a restore from damaged data applies nothing.
import Foundation
import PGClient
import TestSupport
import XCTest

final class IntegrityTests: XCTestCase {
    var env: TestEnvironment!
    var workspace: Workspace!
    var source = ""
    var id = ""

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
        source = TestEnvironment.uniqueName("integ")
        try SampleDatabase.create(env, name: source, rows: 3_000)
        workspace = try Workspace(env)
        try workspace.initialize(database: source)
        let backup = try workspace.lifeboat(["backup", "--database", source, "--json"])
        XCTAssertEqual(backup.status, 0, backup.output)
        id = try XCTUnwrap(try workspace.json(backup)["id"] as? String)
    }

    override func tearDown() {
        SampleDatabase.drop(env, source)
    }

    func databaseObject() throws -> String {
        try XCTUnwrap(try workspace.backupObjects().first { $0.contains("/db-") })
    }

    func assertIntegrityFailure(
        _ result: RunResult, naming object: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(result.status, 4, result.output, file: file, line: line)
        XCTAssertTrue(
            result.output.contains((object as NSString).lastPathComponent), "object not named: \(result.output)",
            file: file, line: line)
    }

    func modify(_ relative: String, _ change: (inout Data) -> Void) throws {
        let path = workspace.repository + "/" + relative
        var data = try XCTUnwrap(FileManager.default.contents(atPath: path))
        change(&data)
        try data.write(to: URL(fileURLWithPath: path))
    }

    func testFlippedByteIsDetectedAndRestoreAppliesNothing() throws {
        let object = try databaseObject()
        try modify(object) { $0[$0.count / 2] ^= 0x01 }
        assertIntegrityFailure(try workspace.lifeboat(["verify", id]), naming: object)

        let target = TestEnvironment.uniqueName("tampered")
        defer { SampleDatabase.drop(env, target) }
        let restore = try workspace.lifeboat(["restore", id, "--target", env.url(database: target)])
        assertIntegrityFailure(restore, naming: object)
        // The object is authenticated before anything happens on the target: not even the database exists.
        let admin = try env.admin()
        defer { admin.close() }
        XCTAssertTrue(try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [target]).rows.isEmpty)
    }

    func testTruncatedObjectIsDetected() throws {
        let object = try databaseObject()
        try modify(object) { $0 = $0.prefix($0.count - 100) }
        assertIntegrityFailure(try workspace.lifeboat(["verify", "--all"]), naming: object)
    }

    func testMissingObjectIsDetected() throws {
        let object = try databaseObject()
        try FileManager.default.removeItem(atPath: workspace.repository + "/" + object)
        let verify = try workspace.lifeboat(["verify", id])
        assertIntegrityFailure(verify, naming: object)
        XCTAssertTrue(verify.output.contains("missing"), verify.output)
    }

    func testObjectSwappedForAnotherValidObjectIsDetected() throws {
        // A second backup's object is authentic on its own; only the manifest's sha256 catches the swap.
        let second = try workspace.lifeboat(["backup", "--database", source, "--json"])
        XCTAssertEqual(second.status, 0, second.output)
        let objects = try workspace.backupObjects().filter { $0.contains("/db-") }
        XCTAssertEqual(objects.count, 2)
        let mine = try XCTUnwrap(objects.first { $0.contains(id) })
        let theirs = try XCTUnwrap(objects.first { !$0.contains(id) })
        try FileManager.default.removeItem(atPath: workspace.repository + "/" + mine)
        try FileManager.default.copyItem(
            atPath: workspace.repository + "/" + theirs, toPath: workspace.repository + "/" + mine)
        assertIntegrityFailure(try workspace.lifeboat(["verify", id]), naming: mine)
    }

    func testTamperedManifestIsDetected() throws {
        let manifest = try XCTUnwrap(try workspace.repositoryFiles().keys.first { $0.hasSuffix("manifest.lbx") })
        try modify(manifest) { $0[$0.count - 20] ^= 0x80 }
        let list = try workspace.lifeboat(["list"])
        assertIntegrityFailure(list, naming: "manifest.lbx")
    }

    func testWrongKeyFileIsAnIntegrityFailure() throws {
        let otherKey = workspace.directory + "/other.key"
        XCTAssertEqual(try runLifeboat(env, ["key", "generate", "--output", otherKey]).status, 0)
        try workspace.writeConfig(database: source, encryption: "  key_file: \(otherKey)")
        let list = try workspace.lifeboat(["list"])
        XCTAssertEqual(list.status, 4, list.output)
        XCTAssertTrue(list.stderr.contains("no key slot of the repository opens with key file"), list.stderr)
        XCTAssertFalse(
            list.output.contains(
                try String(contentsOfFile: otherKey, encoding: .utf8).split(separator: "\n").last.map(String.init)
                    ?? "#"))
    }

    /// A pin record copied from another backup's directory authenticates but names that backup: `list` and
    /// `verify` (of that backup or --all) both refuse it with exit 4 naming the object; the genuine one still verifies.
    func testForeignPinRecordFailsListAndVerifyAlike() throws {
        let second = try workspace.lifeboat(["backup", "--database", source, "--json"])
        XCTAssertEqual(second.status, 0, second.output)
        let secondID = try XCTUnwrap(try workspace.json(second)["id"] as? String)
        let pinned = try workspace.lifeboat(["pin", id])
        XCTAssertEqual(pinned.status, 0, pinned.output)
        let foreign = "backups/main/\(secondID)/pin.lbx"
        try FileManager.default.copyItem(
            atPath: workspace.repository + "/backups/main/\(id)/pin.lbx",
            toPath: workspace.repository + "/" + foreign)
        for arguments in [["list"], ["verify", "--all"], ["verify", secondID]] {
            let run = try workspace.lifeboat(arguments)
            XCTAssertEqual(run.status, 4, "\(arguments): \(run.output)")
            XCTAssertTrue(
                run.output.contains(foreign) || run.output.contains("\(secondID) pin.lbx"),
                "\(arguments) does not name \(foreign): \(run.output)")
        }
        let genuine = try workspace.lifeboat(["verify", id])
        XCTAssertEqual(genuine.status, 0, genuine.output)
    }
}
