// Key changes under the fault suite (docs/faults.md): `key add`, `key rotate`, `key remove` and
// `key rotate --master` each run with a fault (SIGKILL, SIGTERM, an I/O error) at every failpoint they reach.
// After each: every credential that should have access still opens the repository, `key list` works and
// earlier backups verify; the same command then runs again (the dead run's lock is broken), leaving no stale
// slot and no lock.
import Foundation
import TestSupport
import XCTest

final class KeyFailpointTests: XCTestCase {
    /// The credentials that keep access throughout every scenario.
    static let keepers = ["initial", "ops"]

    func testKeyAddUnderFaults() throws {
        let keyed = try scenarioWorkspace("keyfault-add")
        let extra = try keyed.keyFile("extra")
        let command = ["key", "add", "--key-file", extra, "--label", "extra", "--json"]
        try exercise(
            "key add", keyed, required: ["key.slot.before", "key.slot.after"],
            run: { environment in
                try keyed.lifeboat(command, environment: environment)
            }, again: { _ in try (keyed.lifeboat(command), 0) },
            extra: { result in
                // A run that reported success added a slot that opens.
                guard result.status == 0 else { return [] }
                return try keyed.lifeboat(as: "extra", ["key", "list"]).status == 0
                    ? [] : ["the added key file does not open"]
            })
    }

    func testKeyRotateUnderFaults() throws {
        let keyed = try scenarioWorkspace("keyfault-rotate")
        try exercise(
            "key rotate", keyed, required: ["key.keyring.before", "key.keyring.after"],
            run: { environment in
                try keyed.lifeboat(["key", "rotate", "--json"], environment: environment)
            }, again: { _ in try (keyed.lifeboat(["key", "rotate"]), 0) },
            extra: { result in
                guard result.status == 0, let key = try keyed.workspace.json(result)["current_data_key"] as? String
                else { return [] }
                return (try keyed.keyListing()["data_keys"] as? [String] ?? []).contains(key)
                    ? [] : ["the reported data key is not in the keyring"]
            })
    }

    func testKeyRemoveUnderFaults() throws {
        let keyed = try scenarioWorkspace("keyfault-remove")
        let victim = try keyed.keyFile("victim")
        var slot = ""
        try exercise(
            "key remove", keyed, required: ["key.slot.delete.before", "key.slot.delete.after"],
            run: { environment in
                let added = try keyed.lifeboat(["key", "add", "--key-file", victim, "--json"])
                slot = try XCTUnwrap(try keyed.workspace.json(added)["id"] as? String, added.output)
                return try keyed.lifeboat(["key", "remove", slot], environment: environment)
            },
            again: { _ in
                // Run again: it removes the slot, or, when the faulted run already had, says it no longer exists.
                let present = FileManager.default.fileExists(
                    atPath: keyed.workspace.repository + "/keys/slot-\(slot).json")
                return try (keyed.lifeboat(["key", "remove", slot]), present ? 0 : 2)
            }, extra: { _ in [] })
    }

    func testMasterKeyRotationUnderFaults() throws {
        let keyed = try scenarioWorkspace("keyfault-master")
        let command = ["key", "rotate", "--master", "--key-file", keyed.workspace.directory + "/ops.key", "--json"]
        try exercise(
            "key rotate --master", keyed,
            required: [
                "key.journal.before", "key.journal.after", "key.slot.before", "key.slot.after",
                "key.keyring.before", "key.keyring.after", "key.slot.delete.before",
                "key.slot.delete.after", "key.journal.delete.before", "key.journal.delete.after",
            ],
            run: { environment in try keyed.lifeboat(command, environment: environment) },
            again: { _ in try (keyed.lifeboat(command), 0) },
            extra: { _ in
                let files = try keyed.storedSlotFiles()
                let journal = FileManager.default.fileExists(atPath: keyed.workspace.repository + "/keys/rotation.json")
                return
                    (files.count == 2 ? [] : ["after the next run \(files.count) slot objects remain, not 2: \(files)"])
                    + (journal ? ["the rotation journal remains after the next run"] : [])
            })
    }

    /// A repository opened by the initial key file and "ops", with one backup.
    private func scenarioWorkspace(_ name: String) throws -> KeyedWorkspace {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName(name.replacingOccurrences(of: "-", with: "_"))
        addTeardownBlock { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 100)
        let keyed = try KeyedWorkspace(env, name: name, database: source)
        let ops = try keyed.keyFile("ops")
        XCTAssertEqual(try keyed.lifeboat(["key", "add", "--key-file", ops, "--label", "ops"]).status, 0)
        try keyed.backup()
        return keyed
    }

    /// Runs `run` under every fault; then checks access, runs the command `again` (expecting the returned status)
    /// and checks access and the quiescent state again, with `extra`, the scenario's own checks (its argument is
    /// the faulted run's result).
    private func exercise(
        _ name: String, _ keyed: KeyedWorkspace, required: [String],
        run: @escaping ([String: String]) throws -> RunResult,
        again: @escaping (FaultCase) throws -> (RunResult, Int32),
        extra: @escaping (RunResult) throws -> [String]
    ) throws {
        let scenario = FaultScenario(
            name: name, run: run,
            check: { faultCase, result in
                var broken = try self.accessProblems(keyed)
                let (rerun, expected) = try again(faultCase)
                if rerun.status != expected {
                    broken.append("the next run exits \(rerun.status), not \(expected): \(rerun.stderr)")
                }
                broken += try self.accessProblems(keyed)
                broken += try extra(result)
                if let stale = try keyed.keyListing()["stale_slots"] as? [String], !stale.isEmpty {
                    broken.append("stale slots after the next run: \(stale)")
                }
                let locks =
                    (try? FileManager.default.contentsOfDirectory(atPath: keyed.workspace.repository + "/locks")) ?? []
                if !locks.isEmpty { broken.append("\(Workspace.lockLeak): \(locks)") }
                return FaultVerdict(broken: broken, backupsChecked: 1)
            })
        let count = try FaultSuite.exercise(
            scenario, scratch: keyed.workspace.directory, requiredPoints: ["lock.acquire.after"] + required)
        XCTAssertGreaterThanOrEqual(count, 3 * (required.count + 1))
    }

    /// Every keeper opens the repository and lists its keys; every backup verifies.
    private func accessProblems(_ keyed: KeyedWorkspace) throws -> [String] {
        var problems: [String] = []
        for name in Self.keepers {
            let listed = try keyed.lifeboat(as: name, ["key", "list"])
            if listed.status != 0 { problems.append("'\(name)' no longer opens the repository: \(listed.stderr)") }
        }
        let verified = try keyed.lifeboat(["verify", "--all"])
        if verified.status != 0 { problems.append("verify --all exits \(verified.status): \(verified.stderr)") }
        return problems
    }
}
