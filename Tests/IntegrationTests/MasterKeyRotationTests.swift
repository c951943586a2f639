// Master-key rotation, so that a removed credential is really revoked: after `key remove` and
// `key rotate --master`, a removed slot's saved object plus its secret open nothing, while every remaining
// credential, old backups and new ones work.
import Foundation
import XCTest

final class MasterKeyRotationTests: XCTestCase {
    static let vault = ["LB_VAULT": "passphrase of the vault slot"]

    func testRemovedCredentialLosesAccessAfterMasterRotation() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("master")
        let target = source + "_restored"
        defer { SampleDatabase.drop(env, source, target) }
        try SampleDatabase.create(env, name: source, rows: 300)
        let keyed = try KeyedWorkspace(env, name: "master", database: source)
        let oldBackup = try keyed.backup()
        let ops = try keyed.keyFile("ops")
        let leaked = try keyed.keyFile("leaked")
        try keyed.passphrase("vault", variable: "LB_VAULT")
        XCTAssertEqual(try keyed.lifeboat(["key", "add", "--key-file", ops, "--label", "ops"]).status, 0)
        XCTAssertEqual(
            try keyed.lifeboat(
                ["key", "add", "--passphrase-env", "LB_VAULT", "--label", "vault"], environment: Self.vault
            ).status, 0)
        let addedLeaked = try keyed.lifeboat(["key", "add", "--key-file", leaked, "--label", "leaked", "--json"])
        XCTAssertEqual(addedLeaked.status, 0, addedLeaked.output)
        let leakedSlot = try XCTUnwrap(try keyed.workspace.json(addedLeaked)["id"] as? String)
        let leakedSlotPath = keyed.workspace.repository + "/keys/slot-\(leakedSlot).json"
        let savedSlot = try XCTUnwrap(FileManager.default.contents(atPath: leakedSlotPath))
        XCTAssertEqual(try keyed.lifeboat(["key", "rotate"]).status, 0)
        let rotatedBackup = try keyed.backup()

        let removed = try keyed.lifeboat(["key", "remove", leakedSlot])
        XCTAssertEqual(removed.status, 0, removed.output)
        XCTAssertTrue(
            removed.stdout.contains("key rotate --master"),
            "removal says the master key is unchanged: \(removed.stdout)")

        // Without the other slots' credentials the rotation refuses, naming them, and changes nothing.
        let before = try keyed.storedSlotFiles()
        let refused = try keyed.lifeboat(["key", "rotate", "--master"])
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.stderr.contains("\"ops\"") && refused.stderr.contains("\"vault\""), refused.stderr)
        let removedFile = try keyed.lifeboat(
            [
                "key", "rotate", "--master", "--key-file", ops, "--key-file", leaked,
                "--passphrase-env", "LB_VAULT",
            ], environment: Self.vault)
        XCTAssertEqual(removedFile.status, 4, "the removed slot's file opens no slot: \(removedFile.output)")
        XCTAssertEqual(try keyed.storedSlotFiles(), before)

        let rotated = try keyed.lifeboat(
            ["key", "rotate", "--master", "--key-file", ops, "--passphrase-env", "LB_VAULT", "--json"],
            environment: Self.vault)
        XCTAssertEqual(rotated.status, 0, rotated.output)
        let rewrapped = (try keyed.workspace.json(rotated)["slots"] as? [[String: Any]]) ?? []
        XCTAssertEqual(Set(rewrapped.compactMap { $0["label"] as? String }), ["initial", "ops", "vault"])
        XCTAssertEqual(
            Set(rewrapped.compactMap { $0["previous_id"] as? String }),
            Set(before.map { String($0.dropFirst(5).dropLast(5)) }))
        XCTAssertEqual(try keyed.storedSlotFiles().count, 3, "the old slots are gone")

        // Whoever kept the removed slot's object and its key file: the slot unwraps the old master key only.
        try savedSlot.write(to: URL(fileURLWithPath: leakedSlotPath))
        let attacker = try keyed.lifeboat(as: "leaked", ["list"])
        XCTAssertEqual(attacker.status, 4, attacker.output)
        XCTAssertTrue(
            attacker.stderr.contains("no key slot") && attacker.stderr.contains("slot-\(leakedSlot).json"),
            attacker.stderr)

        for name in ["initial", "ops"] {
            XCTAssertEqual(try keyed.lifeboat(as: name, ["key", "list"]).status, 0, name)
        }
        XCTAssertEqual(try keyed.lifeboat(as: "vault", ["key", "list"], environment: Self.vault).status, 0)
        let listing = try keyed.keyListing()
        XCTAssertEqual(listing["stale_slots"] as? [String], [leakedSlot], "the planted slot is listed as stale")
        XCTAssertEqual((listing["data_keys"] as? [String])?.count, 3, "both old data keys stay, plus a new current one")

        // Old backups restore and verify; new backups use the new data key.
        let restored = try keyed.lifeboat([
            "restore", oldBackup, "--database", source, "--target", env.url(database: target),
        ])
        XCTAssertEqual(restored.status, 0, restored.output)
        XCTAssertEqual(
            try SampleDatabase.fingerprints(env, database: target),
            try SampleDatabase.fingerprints(env, database: source))
        let newBackup = try keyed.backup()
        let backups =
            (try keyed.workspace.json(try keyed.lifeboat(["list", "--json"]))["backups"] as? [[String: Any]]) ?? []
        let keyIds = Dictionary(
            uniqueKeysWithValues: backups.compactMap { b in (b["id"] as? String).map { ($0, b["key_id"] as? String) } })
        XCTAssertEqual(keyIds[newBackup], listing["current_data_key"] as? String)
        XCTAssertNotEqual(
            keyIds[newBackup], keyIds[rotatedBackup], "new backups do not use a data key the old master key revealed")
        let verified = try keyed.lifeboat(["verify", "--all"])
        XCTAssertEqual(verified.status, 0, verified.output)
        // Only slots a killed rotation's journal names are deleted automatically; this one is removed by hand.
        XCTAssertEqual(try keyed.lifeboat(["key", "rotate"]).status, 0)
        XCTAssertEqual(try keyed.storedSlotFiles().count, 4)
        XCTAssertEqual(try keyed.lifeboat(["key", "remove", leakedSlot]).status, 0)
        XCTAssertEqual(try keyed.storedSlotFiles().count, 3)
    }
}
