// Concurrent key changes (changes were once lost when a run read the keyring before taking the lock): every
// run that reports success must have made its change, and no data key a backup was sealed under may ever be
// dropped from the keyring.
import Catalog
import Configuration
import Engine
import Foundation
import TestSupport
import XCTest

final class KeyConcurrencyTests: XCTestCase {
    /// 20 `key rotate` processes at once while backups keep running: each rotation either adds its key (exit 0)
    /// or says the keys are locked (exit 5), and every backup taken meanwhile verifies.
    func testConcurrentRotationsKeepEveryKey() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("keyrace")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 100)
        let keyed = try KeyedWorkspace(env, name: "keyrace", database: source)
        try keyed.backup()

        let rotations = ResultBox()
        let backups = ResultBox()
        let start = DispatchSemaphore(value: 0)
        let finished = DispatchGroup()
        for _ in 0..<20 {
            finished.enter()
            Thread.detachNewThread {
                start.wait()
                rotations.append(Result { try keyed.lifeboat(["key", "rotate", "--json"]) })
                finished.leave()
            }
        }
        let backupsDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            // Backups read the keyring while rotations replace it: one sealed under a dropped key would not verify.
            while finished.wait(timeout: .now()) == .timedOut {
                backups.append(Result { try keyed.lifeboat(["backup"]) })
            }
            backupsDone.signal()
        }
        for _ in 0..<20 { start.signal() }
        finished.wait()
        backupsDone.wait()

        let results = try rotations.values.map { try $0.get() }
        for result in results {
            XCTAssertTrue(
                [0, 5].contains(result.status), "a rotation either succeeds or says it is locked: \(result.output)")
            if result.status == 5 { XCTAssertTrue(result.stderr.contains("locked"), result.stderr) }
        }
        let succeeded = results.filter { $0.status == 0 }
        let addedKeys = Set(
            try succeeded.map { try XCTUnwrap(try keyed.workspace.json($0)["current_data_key"] as? String) })
        XCTAssertGreaterThan(succeeded.count, 0)
        XCTAssertEqual(addedKeys.count, succeeded.count, "each successful rotation added its own key")
        let listing = try keyed.keyListing()
        let keys = Set((listing["data_keys"] as? [String]) ?? [])
        XCTAssertEqual(keys.count, 1 + succeeded.count, "the initial key plus one per successful rotation")
        XCTAssertTrue(addedKeys.isSubset(of: keys), "a key a rotation reported is missing from the keyring")

        let backupRuns = try backups.values.map { try $0.get() }
        XCTAssertTrue(backupRuns.allSatisfy { $0.status == 0 }, backupRuns.map(\.output).joined(separator: "\n"))
        try keyed.backup()
        let verified = try keyed.lifeboat(["verify", "--all"])
        XCTAssertEqual(verified.status, 0, "every backup taken between rotations verifies: \(verified.output)")
    }
}

extension KeyConcurrencyTests {
    /// A run that unlocked before a rotation (a snapshot waiting for its WAL, a drill) reads objects sealed under
    /// data keys added after it started, also after a master-key rotation, instead of failing with "unknown key".
    func testAReaderFindsDataKeysAddedAfterItUnlocked() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("keyreader")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 50)
        let keyed = try KeyedWorkspace(env, name: "keyreader", database: source)
        let config = try ConfigLoader.load(path: keyed.workspace.configPath)
        let repository = try Repository.open(config.repository, environment: [:])
        let keyring = try repository.unlock(try Credential.load(config.encryption, environment: [:]))
        let catalog = BackupCatalog(repository: repository, keyring: keyring, cluster: "main")

        for rotation in [["key", "rotate"], ["key", "rotate", "--master"]] {
            XCTAssertEqual(try keyed.lifeboat(rotation).status, 0)
            let id = try XCTUnwrap(BackupID(try keyed.backup()))
            let manifest = try catalog.manifest(id)
            XCTAssertFalse(keyring.dataKeyIds.contains(manifest.encryption.keyId), "sealed under a key added later")
        }
    }
}

/// Results collected from several threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Result<RunResult, Error>] = []

    func append(_ item: Result<RunResult, Error>) { lock.withLock { items.append(item) } }
    var values: [Result<RunResult, Error>] { lock.withLock { items } }
}
