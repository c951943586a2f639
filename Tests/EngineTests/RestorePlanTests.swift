// RestorePlanTests: a restore is planned once and runs exactly that plan. The repository is a MemoryStore holding
// real sealed snapshot objects (tar in tar, zstd, AES-256-GCM, written through the same pipeline as backups), so
// a physical restore without --start runs here completely: no PostgreSQL, no S3.
import ArchiveIO
import Catalog
import Configuration
import Foundation
import Logging
import Pipeline
import Storage
import XCTest

@testable import Engine

final class RestorePlanTests: XCTestCase {
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("restore-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        // Traversable by the server's OS user: a restore run as root checks that it can reach restore_command's files.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch.path)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    // MARK: - latest is resolved once

    func testRunRestoresThePlannedSnapshotWhenANewerOneIsCommittedMeanwhile() throws {
        let history = try ChainHistory()
        let now = Date()
        let planned = try history.snapshot(finishedAt: now.addingTimeInterval(-7200))
        let engine = PhysicalRestore(context: try context(), repository: history.repository, keyring: history.keyring)
        let plan = try engine.plan(try request("latest", into: "data"))
        XCTAssertEqual(plan.summary.backup, planned.rawValue)
        XCTAssertEqual(plan.manifest.id, planned)

        // A backup finishing between the plan shown and the run: it is the newest now, but not what was planned.
        let newer = try history.snapshot(finishedAt: now.addingTimeInterval(-60))
        XCTAssertEqual(
            try engine.plan(try request("latest", into: "other")).summary.backup, newer.rawValue,
            "a new plan would take the newer snapshot")

        let result = try engine.run(plan)
        XCTAssertEqual(result.plan.backup, planned.rawValue)
        let data = scratch.appendingPathComponent("data").path
        XCTAssertEqual(
            try String(contentsOfFile: data + "/backup_label", encoding: .utf8), "snapshot \(planned)\n",
            "the files are the planned snapshot's")
        let settings = try String(contentsOfFile: data + "/postgresql.auto.conf", encoding: .utf8)
        XCTAssertTrue(settings.contains("# Recovery settings added by lifeboat restore \(planned) at "), settings)
        XCTAssertFalse(settings.contains(newer.rawValue), settings)
        XCTAssertTrue(FileManager.default.fileExists(atPath: data + "/recovery.signal"))
        XCTAssertEqual(result.files, 3)
    }

    /// The restore made every file durable (syncfs), so the server's own pass before recovery is one syncfs per
    /// file system, not an fsync per file; PostgreSQL 13 has no such setting and would refuse to start with it.
    func testTheServerStartsWithSyncfsFromPostgreSQL14() throws {
        let history = try ChainHistory()
        let engine = PhysicalRestore(context: try context(), repository: history.repository, keyring: history.keyring)
        let option = "-c recovery_init_sync_method=syncfs"
        _ = try history.snapshot(finishedAt: Date().addingTimeInterval(-7200), versionNumber: 130000)
        let old = try engine.plan(try request("latest", into: "data")).summary.startCommand
        XCTAssertFalse(old.contains { $0.contains(option) }, "\(old)")
        _ = try history.snapshot(finishedAt: Date().addingTimeInterval(-60), versionNumber: 140000)
        let new = try engine.plan(try request("latest", into: "data")).summary.startCommand
        XCTAssertTrue(new.contains { $0.contains(option) }, "\(new)")
    }

    func testATimeTargetPlansTheNewestSnapshotBeforeIt() throws {
        let history = try ChainHistory()
        let now = Date()
        let older = try history.snapshot(finishedAt: now.addingTimeInterval(-7200))
        _ = try history.snapshot(finishedAt: now.addingTimeInterval(-60))
        let engine = PhysicalRestore(context: try context(), repository: history.repository, keyring: history.keyring)
        var asked = try request("latest", into: "data")
        asked.toTime = now.addingTimeInterval(-3600)
        let plan = try engine.plan(asked)
        XCTAssertEqual(plan.manifest.id, older)
        XCTAssertEqual(plan.summary.targetAction, "promote")
        XCTAssertTrue(plan.summary.target.hasPrefix("time "), plan.summary.target)
        XCTAssertEqual(plan.steps, plan.summary.steps, "nothing to rehydrate in a store without archive classes")
    }

    func testASnapshotChosenElsewhereMustStillFinishBeforeTheTarget() throws {
        let history = try ChainHistory()
        let now = Date()
        let id = try history.snapshot(finishedAt: now.addingTimeInterval(-60))
        let engine = PhysicalRestore(context: try context(), repository: history.repository, keyring: history.keyring)
        var asked = try request(id.rawValue, into: "data")
        asked.toTime = now.addingTimeInterval(-3600)
        let manifest = try history.catalog.manifest(id)
        XCTAssertThrowsError(try engine.plan(asked, backup: manifest)) { error in
            XCTAssertEqual(
                (error as? SnapshotError)?.message,
                "cluster 'main' has no complete snapshot '\(id)' that finished before the target")
        }
    }

    // MARK: - the statics that moved out of PhysicalRestore

    func testShellAndConfigurationQuoting() {
        XCTAssertEqual(Quoting.shell("/usr/bin/lifeboat"), "/usr/bin/lifeboat")
        XCTAssertEqual(Quoting.shell(""), "''")
        XCTAssertEqual(Quoting.shell("/srv/my dir/it's"), "'/srv/my dir/it'\\''s'")
        XCTAssertEqual(Quoting.conf("a 'b' c"), "'a ''b'' c'")
    }

    func testRecoveryConfigurationNamesThisLifeboatAndTheTarget() throws {
        var asked = try request("latest", into: "data")
        asked.binaryPath = "/opt/life boat/lifeboat"
        asked.toLSN = LSN("0/5000028")
        let recovery = RecoveryConfiguration(config: try context().config, request: asked)
        XCTAssertEqual(
            recovery.restoreCommand(credentials: nil),
            "'/opt/life boat/lifeboat' --config \(asked.configPath) wal get %f %p")
        XCTAssertEqual(recovery.targetText, "WAL position 0/5000028")
        XCTAssertEqual(
            RecoveryConfiguration.postgresTimestamp(Date(timeIntervalSince1970: 1_795_290_792.25)),
            "2026-11-21 19:53:12.250000+00")
    }

    func testRehydrationTierNamesFromTheCommandLine() {
        XCTAssertTrue(RehydrationOptions.isTierName("BULK"))
        XCTAssertFalse(RehydrationOptions.isTierName("fast"))
        XCTAssertEqual(RehydrationOptions(wait: true, tierName: "expedited", days: 2, pollInterval: 1).tier, .expedited)
        XCTAssertEqual(RehydrationOptions(wait: true, tierName: "Standard", days: 2, pollInterval: 1).tier, .standard)
    }

    // MARK: - helpers

    func context() throws -> EngineContext {
        let config = LifeboatConfig(
            cluster: "main", postgres: PostgresSettings(url: "postgresql://postgres@127.0.0.1:1/postgres"),
            repository: RepositorySettings(location: .file(path: scratch.path + "/repository")),
            encryption: .keyFile(path: scratch.path + "/repo.key"), sourcePath: try configFile())
        return EngineContext(
            config: config, logger: Logger(label: "test"), progress: ProgressReporter(enabled: false),
            environment: [:])
    }

    func configFile() throws -> String {
        let path = scratch.path + "/lifeboat.yml"
        if !FileManager.default.fileExists(atPath: path) {
            try "cluster: main\n".write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        }
        return path
    }

    func request(_ reference: String, into directory: String) throws -> PhysicalRestoreRequest {
        PhysicalRestoreRequest(
            reference: reference, dataDirectory: scratch.path + "/" + directory, toTime: nil, toLSN: nil,
            targetAction: "promote", clean: false, start: false, port: nil,
            configPath: try configFile(), binaryPath: "/bin/sh")
    }
}
