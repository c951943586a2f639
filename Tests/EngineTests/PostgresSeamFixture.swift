// PostgresSeamFixture: an EngineContext wired to a ScriptedPostgres, with an unlocked in-memory repository,
// for engine tests that check what an engine asks PostgreSQL and what it concludes from the answers.
import Catalog
import Configuration
import Foundation
import Logging
import PGClient
import PostgresTestSupport
import Storage
import XCTest

@testable import Engine

struct PostgresSeamFixture {
    static let configPath = "/etc/lifeboat/lifeboat.yml"
    static let binaryPath = "/usr/bin/lifeboat"
    static let sourceURL = "postgresql://backup@db.example:5432/postgres"

    let server: ScriptedPostgres
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring

    /// `backupType` is the configuration's backup.type; `environment` is what the engine sees; `postgres` adds
    /// lines to the `postgres:` section (e.g. a standby_url).
    init(
        backupType: String = "logical", environment: [String: String] = [:], postgres: [String] = [],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        server = ScriptedPostgres(file: file, line: line)
        let yaml = """
            cluster: main
            postgres:
              url: \(Self.sourceURL)
            \(postgres.map { "  " + $0 + "\n" }.joined())repository:
              url: file:///var/backups/lifeboat
            encryption:
              passphrase_env: LIFEBOAT_PASSPHRASE
            backup:
              type: \(backupType)

            """
        let config = try ConfigLoader.parse(yaml: yaml, sourcePath: Self.configPath)
        context = EngineContext(
            config: config, logger: Logger(label: "engine-tests"),
            progress: ProgressReporter(enabled: false), environment: environment,
            postgres: server.connector)
        repository = Repository(store: MemoryStore())
        let dataKey = try Keyring.newDataKey(now: Date())
        keyring = try Keyring(
            masterKey: Array(repeating: 1, count: 32), masterKeyId: Array(repeating: 2, count: 16),
            document: KeyringDocument(current: dataKey.id, keys: [dataKey]))
    }

    var catalog: BackupCatalog { BackupCatalog(repository: repository, keyring: keyring, cluster: "main") }

    /// Commits a logical backup of `database` holding `tables`, as `lifeboat backup` would record it.
    @discardableResult
    func commitLogicalBackup(database: String, tables: [TableCount], at: Date = Date()) throws -> BackupManifest {
        let id = BackupID.generate(at: at)
        let object = StoredObject(
            name: "db-0001.tar.zst.lbx", storedSize: 4096,
            sha256: String(repeating: "0", count: 64), contentSize: 4000)
        let record = DatabaseRecord(name: database, object: object.name, dumpFormat: "pg_dump-custom", tables: tables)
        let manifest = BackupManifest(
            id: id, cluster: "main", kind: .logical, label: nil, startedAt: at, finishedAt: at.addingTimeInterval(60),
            pinned: false, keepUntil: nil, tool: ToolInfo(name: "lifeboat", version: "test", host: "engine-tests"),
            server: ServerInfo(
                version: "15.4", versionNumber: 150004, systemIdentifier: nil, timeline: 1,
                startLsn: "0/1000000", stopLsn: "0/1000100"),
            compression: CompressionInfo(algorithm: "zstd", level: 3),
            encryption: EncryptionInfo(algorithm: "aes-256-gcm-stream-v1", keyId: keyring.currentKeyId),
            objects: [object],
            databases: [record], globals: GlobalsRecord(object: nil, note: "the backup role is not a superuser"))
        try catalog.commit(manifest)
        return manifest
    }

    /// Commits the archive record of WAL segment `name`, as `wal push` does once the segment is stored.
    func archiveRecord(_ name: String) throws {
        let walName = try XCTUnwrap(WALName(name))
        let record = WALFileRecord(
            cluster: "main", name: name, size: 16 << 20,
            sha256: String(repeating: "0", count: 64), systemIdentifier: nil,
            compression: CompressionInfo(algorithm: "zstd", level: 3), archivedAt: Date(),
            tool: ToolInfo(name: "lifeboat", version: "test", host: "engine-tests"))
        let key = try ObjectKey(RepositoryLayout.walRecord(cluster: "main", name: walName))
        try repository.putSealed(key, bytes: Array(try CatalogCoding.encoder().encode(record)), with: keyring.current)
    }
}

extension PostgresSeamFixture {
    /// The error `body` throws, as the given type; fails the test when it throws nothing or something else.
    static func thrown<E: Error>(
        _ type: E.Type, file: StaticString = #filePath, line: UInt = #line,
        _ body: () throws -> Void
    ) -> E? {
        do {
            try body()
            XCTFail("expected \(E.self) to be thrown", file: file, line: line)
        } catch let error as E {
            return error
        } catch {
            XCTFail("expected \(E.self), got \(error)", file: file, line: line)
        }
        return nil
    }
}
