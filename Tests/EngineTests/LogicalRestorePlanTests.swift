// LogicalRestorePlanTests: a logical restore resolves `latest` once. The plan names a backup; a newer backup
// committed before the run does not change what the run restores. The target server is a ScriptedPostgres and
// pg_restore a stand-in script in the configured bin_dir that keeps the bytes it is fed, so the run is observed
// at the seam it restores through: the dump pg_restore reads on stdin.
import ArchiveIO
import Catalog
import Configuration
import Foundation
import Pipeline
import PostgresTestSupport
import Storage
import XCTest

@testable import Engine

final class LogicalRestorePlanTests: XCTestCase {
    static let target = "postgresql://postgres@db2.example:5433/shop_restored"
    static let tables = [TableCount(schema: "public", table: "orders", rows: 1200)]
    var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("logical-plan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        // pg_restore: keeps its arguments and its stdin (the dump) beside it, then succeeds.
        let script = """
            #!/bin/sh
            for argument in "$@"; do echo "$argument"; done > '\(scratch.path)/arguments'
            /bin/cat > '\(scratch.path)/fed'
            """
        let path = scratch.appendingPathComponent("pg_restore").path
        try (script + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: scratch)
    }

    func testRunRestoresThePlannedBackupWhenANewerOneIsCommittedMeanwhile() throws {
        let fixture = try PostgresSeamFixture()
        let restore = LogicalRestore(
            context: try context(fixture), repository: fixture.repository,
            keyring: fixture.keyring)
        let now = Date()
        let planned = try commitBackup(fixture, dump: "the planned dump", finishedAt: now.addingTimeInterval(-7200))
        expectEmptyTarget(fixture.server)

        let plan = try restore.plan(request())
        XCTAssertEqual(plan.summary.backup, planned.id.rawValue)
        XCTAssertEqual(plan.manifest.id, planned.id)

        // A backup finishing between the plan shown and the run: it is the newest now, but not what was planned.
        let newer = try commitBackup(fixture, dump: "a newer dump", finishedAt: now.addingTimeInterval(-60))
        XCTAssertEqual(
            try restore.plan(request()).summary.backup, newer.id.rawValue,
            "a new plan would take the newer backup")

        // Row counts are read without the restored database's own statement_timeout.
        _ = fixture.server.expectCommand("SET statement_timeout = 0", database: "shop_restored")
        fixture.server.expect(
            "SELECT count(*) FROM \"public\".\"orders\"", database: "shop_restored",
            returning: [["1200"]])
        let result = try restore.run(plan)
        XCTAssertEqual(result.plan.backup, planned.id.rawValue)
        XCTAssertEqual(
            try String(contentsOf: scratch.appendingPathComponent("fed"), encoding: .utf8),
            "the planned dump", "pg_restore was fed the planned backup's dump")
        let arguments = try String(contentsOf: scratch.appendingPathComponent("arguments"), encoding: .utf8)
        XCTAssertTrue(arguments.contains("--single-transaction"), arguments)
        XCTAssertEqual(result.tablesChecked, 1)
        XCTAssertEqual(result.rowsChecked, 1200)
        XCTAssertEqual(fixture.server.unexpected.map(\.sql), [])
        XCTAssertEqual(fixture.server.openSessions, 0)
    }

    // MARK: - helpers

    /// The fixture's context, with pg_restore found in the scratch directory.
    func context(_ fixture: PostgresSeamFixture) throws -> EngineContext {
        var config = fixture.context.config
        config.postgres.binDir = scratch.path
        return EngineContext(
            config: config, logger: fixture.context.logger, progress: fixture.context.progress,
            environment: fixture.context.environment, postgres: fixture.server.connector)
    }

    func request() -> LogicalRestoreRequest {
        LogicalRestoreRequest(
            reference: "latest", database: "shop", target: Self.target, jobs: 1, clean: false,
            globals: false, noOwner: false)
    }

    /// The target database exists and holds no user relation: the restore uses it as it is.
    func expectEmptyTarget(_ server: ScriptedPostgres) {
        server
            .expect(
                "SELECT 1 FROM pg_database WHERE datname = $1", parameters: ["shop_restored"],
                database: "postgres", returning: [["1"]]
            )
            .expect(
                .prefix("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"),
                database: "shop_restored", returning: [["0"]])
    }

    /// Commits a logical backup of `shop` whose one object is a real sealed dump holding `dump`.
    func commitBackup(_ fixture: PostgresSeamFixture, dump: String, finishedAt: Date) throws -> BackupManifest {
        let id = BackupID.generate(at: finishedAt.addingTimeInterval(-60))
        let name = RepositoryLayout.databaseObjectName(index: 1, compressed: true)
        let key = try ObjectKey(RepositoryLayout.object(cluster: "main", id: id, name: name))
        let writer = try SealedObjectWriter(
            store: fixture.repository.store, key: key,
            sealingKey: fixture.keyring.current, compression: .zstd, level: 3)
        let pieces = PiecedEntryWriter(writer: writer.tar, baseName: RepositoryLayout.dumpEntryName)
        try Array(dump.utf8).withUnsafeBytes { try pieces.write($0) }
        _ = try pieces.finish()
        let object = try writer.commit()
        let manifest = BackupManifest(
            id: id, cluster: "main", kind: .logical, label: nil, startedAt: finishedAt.addingTimeInterval(-60),
            finishedAt: finishedAt, pinned: false, keepUntil: nil,
            tool: ToolInfo(name: "lifeboat", version: "test", host: "engine-tests"),
            server: ServerInfo(
                version: "15.4", versionNumber: 150004, systemIdentifier: nil, timeline: 1,
                startLsn: "0/1000000", stopLsn: "0/1000100"),
            compression: CompressionInfo(algorithm: "zstd", level: 3),
            encryption: EncryptionInfo(algorithm: "aes-256-gcm-stream-v1", keyId: fixture.keyring.currentKeyId),
            objects: [
                StoredObject(
                    name: name, storedSize: object.storedSize, sha256: object.sha256,
                    contentSize: object.contentSize)
            ],
            databases: [DatabaseRecord(name: "shop", object: name, dumpFormat: "pg_dump-custom", tables: Self.tables)],
            globals: GlobalsRecord(object: nil, note: "the backup role is not a superuser"))
        try fixture.catalog.commit(manifest)
        return manifest
    }
}
