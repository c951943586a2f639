// Passphrase repositories, key slots and data-key rotation, through the binary.
import Foundation
import XCTest

final class KeyManagementTests: XCTestCase {
    func testPassphraseSlotsAndRotationKeepOldBackupsReadable() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("keys")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 500)
        let workspace = try Workspace(env)
        let passphrase = ["LB_PASS": "correct horse battery staple"]
        try workspace.writeConfig(database: source, encryption: "  passphrase_env: LB_PASS")
        XCTAssertEqual(try workspace.lifeboat(["init"], environment: passphrase).status, 0)
        let missing = try workspace.lifeboat(["list"])
        XCTAssertEqual(missing.status, 2, missing.output)
        XCTAssertTrue(missing.stderr.contains("LB_PASS"), missing.stderr)
        let wrong = try workspace.lifeboat(["list"], environment: ["LB_PASS": "not the right passphrase"])
        XCTAssertEqual(wrong.status, 4, wrong.output)

        let first = try workspace.lifeboat(["backup", "--json"], environment: passphrase)
        XCTAssertEqual(first.status, 0, first.output)

        // A key file slot opens the same repository; rotation gives new backups a new data key.
        try workspace.generateKey()
        let added = try workspace.lifeboat(
            ["key", "add", "--key-file", workspace.keyFile, "--label", "ops", "--json"], environment: passphrase)
        XCTAssertEqual(added.status, 0, added.output)
        let slotId = try XCTUnwrap(try workspace.json(added)["id"] as? String)
        XCTAssertEqual(try workspace.lifeboat(["key", "rotate"], environment: passphrase).status, 0)
        try workspace.writeConfig(database: source)  // switch to the key file
        let second = try workspace.lifeboat(["backup", "--json"])
        XCTAssertEqual(second.status, 0, second.output)

        let listing = try workspace.json(try workspace.lifeboat(["list", "--json"]))
        let keys = (listing["backups"] as? [[String: Any]])?.compactMap { $0["key_id"] as? String } ?? []
        XCTAssertEqual(keys.count, 2)
        XCTAssertNotEqual(keys.first, keys.last, "the backup after rotation uses the new data key")
        XCTAssertEqual(try workspace.lifeboat(["verify", "--all"]).status, 0)

        // Removing the key-file slot while using it is refused; removing it with the passphrase works.
        let own = try workspace.lifeboat(["key", "remove", slotId])
        XCTAssertEqual(own.status, 2, own.output)
        try workspace.writeConfig(database: source, encryption: "  passphrase_env: LB_PASS")
        XCTAssertEqual(try workspace.lifeboat(["key", "remove", slotId], environment: passphrase).status, 0)
        try workspace.writeConfig(database: source)
        XCTAssertEqual(
            try workspace.lifeboat(["list"]).status, 4, "the removed key file no longer opens the repository")
    }

    func testKeyFilesAreOwnerOnlyAndNeverOverwritten() throws {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env)
        try workspace.generateKey()
        let attributes = try FileManager.default.attributesOfItem(atPath: workspace.keyFile)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let before = try String(contentsOfFile: workspace.keyFile, encoding: .utf8)
        let again = try runLifeboat(env, ["key", "generate", "--output", workspace.keyFile])
        XCTAssertEqual(again.status, 2, again.output)
        XCTAssertEqual(try String(contentsOfFile: workspace.keyFile, encoding: .utf8), before)

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: workspace.keyFile)
        try workspace.writeConfig()
        let insecure = try workspace.lifeboat(["init"])
        XCTAssertEqual(insecure.status, 2, insecure.output)
        XCTAssertTrue(insecure.stderr.contains("chmod 600"), insecure.stderr)
    }

    /// A passphrase slot asking for more scrypt work than Lifeboat writes is refused by name, before any slot is
    /// tried (a planted N = 2^22, r = 32 slot would cost 16 GiB per try). The one here is only twice the cap, so
    /// a Lifeboat without the cap survives trying it.
    func testCostlyScryptSlotIsRefusedWithoutTryingIt() throws {
        let env = try TestEnvironment.require()
        let workspace = try Workspace(env)
        let passphrase = ["LB_PASS": "correct horse battery staple"]
        try workspace.writeConfig(encryption: "  passphrase_env: LB_PASS")
        XCTAssertEqual(try workspace.lifeboat(["init"], environment: passphrase).status, 0)
        let keys = workspace.repository + "/keys/"
        let genuine = try XCTUnwrap(
            try FileManager.default.contentsOfDirectory(atPath: keys).first { $0.hasPrefix("slot-") })
        var slot = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: keys + genuine)))
                as? [String: Any])
        var kdf = try XCTUnwrap(slot["kdf"] as? [String: Any])
        kdf["n"] = 1 << 18
        slot["kdf"] = kdf
        slot["id"] = "0badc0de"
        try JSONSerialization.data(withJSONObject: slot).write(to: URL(fileURLWithPath: keys + "slot-0badc0de.json"))

        let refused = try workspace.lifeboat(["list"], environment: passphrase)
        XCTAssertEqual(refused.status, 4, refused.output)
        XCTAssertTrue(refused.stderr.contains("key slot 'keys/slot-0badc0de.json'"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("N = 131072, r = 8, p = 1"), "the cap is named: \(refused.stderr)")
        try FileManager.default.removeItem(atPath: keys + "slot-0badc0de.json")
        XCTAssertEqual(try workspace.lifeboat(["list"], environment: passphrase).status, 0)
    }

    /// A slot whose master_key_id is damaged looks like one for another master key. Key changes never delete it
    /// (only the slots a killed master-key rotation's journal names go automatically); the wrong key names it.
    func testADamagedSlotIsNeverDeletedByAKeyChange() throws {
        let env = try TestEnvironment.require()
        let keyed = try KeyedWorkspace(env, name: "damagedslot", database: "postgres")
        let ops = try keyed.keyFile("ops")
        let added = try keyed.lifeboat(["key", "add", "--key-file", ops, "--label", "ops", "--json"])
        let slot = try XCTUnwrap(try keyed.workspace.json(added)["id"] as? String, added.output)
        let path = keyed.workspace.repository + "/keys/slot-\(slot).json"
        var object = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let masterKeyId = try XCTUnwrap(object["master_key_id"] as? String)
        object["master_key_id"] = (masterKeyId.first == "0" ? "1" : "0") + masterKeyId.dropFirst()
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))

        XCTAssertEqual(try keyed.lifeboat(["key", "rotate"]).status, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "the damaged slot is still there")
        XCTAssertEqual(try keyed.keyListing()["stale_slots"] as? [String], [slot])
        let refused = try keyed.lifeboat(as: "ops", ["key", "list"])
        XCTAssertEqual(refused.status, 4, refused.output)
        XCTAssertTrue(refused.stderr.contains("slot-\(slot).json"), "the wrong key names the slot: \(refused.stderr)")
    }
}
