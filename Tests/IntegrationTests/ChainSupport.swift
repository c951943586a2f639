// ChainSupport: what the incremental restore tests share. Taking snapshots of a chain through the binary, row
// fingerprints, waiting for a restored server's promotion, and RawBackupExtractor: each backup's tar exactly as the
// server sent it (delta entries as files) plus its server manifest, read back through the engine's readers, so
// that pg_combinebackup can rebuild the same chain for a byte-for-byte comparison.
import ArchiveIO
import Catalog
import Configuration
import Engine
import Foundation
import PGClient
import Pipeline
import Storage
import XCTest

extension XCTestCase {
    /// `backup --type snapshot` (with `--incremental` when asked) and its JSON summary.
    func chainSnapshot(
        _ workspace: Workspace, incremental: Bool, environment: [String: String] = [:],
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> [String: Any] {
        // Backup ids have whole seconds: two snapshots in one second would not sort in the order they were taken.
        Thread.sleep(forTimeInterval: 1.05)
        let result = try workspace.lifeboat(
            ["backup", "--type", "snapshot", "--json"] + (incremental ? ["--incremental"] : []),
            environment: environment)
        XCTAssertEqual(result.status, 0, result.output, file: file, line: line)
        let summary = try workspace.json(result)
        if incremental {
            XCTAssertEqual(summary["type"] as? String, "incremental", result.stdout, file: file, line: line)
        }
        return summary
    }

    /// PostgreSQL 17+: incrementals come from the server's WAL summaries, which must be on before the full.
    func enableWALSummaries(_ admin: PGConnection) throws {
        guard admin.serverVersionNumber >= 170000 else { return }
        try admin.execute("ALTER SYSTEM SET summarize_wal = on")
        try admin.execute("SELECT pg_reload_conf()")
        addTeardownBlock {
            try? admin.execute("ALTER SYSTEM RESET summarize_wal")
            try? admin.execute("SELECT pg_reload_conf()")
        }
    }

    /// Row count and an MD5 over every row in id order: equal fingerprints mean the same rows.
    func rowFingerprint(_ connection: PGConnection, table: String) throws -> String {
        let row = try connection.query(
            "SELECT count(*)::text || ' ' || md5(coalesce(string_agg(id::text || ':' || batch || ':' || filler, ',' "
                + "ORDER BY id), '')) FROM \(table)"
        ).rows.first
        return try XCTUnwrap(row?[0] ?? nil)
    }

    /// Waits until the restored server on `port` accepts connections and has left recovery (promoted).
    func waitUntilPromoted(port: Int, timeout: TimeInterval = 120) throws -> PGConnection {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let connection = try? PGConnection(
                try ConnectionInfo("postgresql://postgres@127.0.0.1:\(port)/postgres"))
            {
                if (try? connection.query("SELECT pg_is_in_recovery()::text").rows.first?[0]) == "false" {
                    return connection
                }
                connection.close()
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTFail("the server on port \(port) was not promoted within \(Int(timeout)) s")
        throw XCTSkip("cannot continue")
    }

    /// Every relation file (`<digits>[_fsm|_vm|_init][.<n>]` under global/ and base/<db>/) of `expected` must be in
    /// `actual` with the same bytes, and `actual` must have no other relation file.
    func assertSameRelationFiles(
        _ actual: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let mine = try relationFiles(actual)
        let theirs = try relationFiles(expected)
        XCTAssertEqual(mine.sorted(), theirs.sorted(), "the relation files differ", file: file, line: line)
        XCTAssertGreaterThan(theirs.count, 100, file: file, line: line)
        var different: [String] = []
        for path in theirs where mine.contains(path) {
            let left = FileManager.default.contents(atPath: actual + "/" + path)
            let right = FileManager.default.contents(atPath: expected + "/" + path)
            if left != right { different.append(path) }
        }
        XCTAssertEqual(different, [], "relation files not byte-identical", file: file, line: line)
    }

    func relationFiles(_ root: String) throws -> [String] {
        let pattern = try NSRegularExpression(pattern: "^(global|base/[0-9]+)/[0-9]+(_fsm|_vm|_init)?(\\.[0-9]+)?$")
        let enumerator = FileManager.default.enumerator(atPath: root)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            let range = NSRange(path.startIndex..., in: path)
            if pattern.firstMatch(in: path, range: range) != nil { found.append(path) }
        }
        return found
    }
}

/// A backup's objects as the server sent them, for tools that read backup directories (pg_combinebackup).
struct RawBackupExtractor {
    let catalog: BackupCatalog

    init(configPath: String) throws {
        let config = try ConfigLoader.load(path: configPath)
        let repository = try Repository.open(config.repository, environment: [:])
        let keyring = try repository.unlock(try Credential.load(config.encryption, environment: [:]))
        catalog = BackupCatalog(repository: repository, keyring: keyring, cluster: config.cluster)
    }

    /// Writes backup `id`'s data directory tar, unchanged, and its `backup_manifest` into `directory`.
    func extract(_ id: String, into directory: String) throws {
        let manifest = try catalog.manifest(try XCTUnwrap(BackupID(id)))
        let snapshot = try XCTUnwrap(manifest.snapshot)
        let serverManifest = try XCTUnwrap(snapshot.serverManifest, "\(id) has no server manifest")
        try stream(manifest, object: snapshot.object, entry: snapshot.entry) { tar in
            while let entry = try tar.nextEntry() {
                let path = directory + "/" + entry.name
                if entry.isDirectory {
                    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                    continue
                }
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(try Self.readAll { try tar.read(into: $0) }).write(to: URL(fileURLWithPath: path))
            }
        }
        let bytes = try pieces(manifest, object: serverManifest, entry: "backup_manifest")
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/backup_manifest"))
    }

    private func reader(_ manifest: BackupManifest, object: String) throws -> SealedObjectReader {
        let stored = try XCTUnwrap(manifest.object(named: object))
        let key = try ObjectKey(RepositoryLayout.object(cluster: manifest.cluster, id: manifest.id, name: object))
        return try SealedObjectReader(
            store: catalog.repository.store, key: key,
            expected: ExpectedObject(size: stored.storedSize, sha256: stored.sha256), keyLookup: catalog.keyring.lookup)
    }

    private func pieces(_ manifest: BackupManifest, object: String, entry: String) throws -> [UInt8] {
        let sealed = try reader(manifest, object: object)
        let outer = try TarReader { try sealed.read(into: $0) }
        let pieces = PiecedEntryReader(reader: outer, baseName: entry)
        return try Self.readAll { try pieces.read(into: $0) }
    }

    private func stream(
        _ manifest: BackupManifest, object: String, entry: String, _ body: (TarReader) throws -> Void
    ) throws {
        let sealed = try reader(manifest, object: object)
        let outer = try TarReader { try sealed.read(into: $0) }
        let pieces = PiecedEntryReader(reader: outer, baseName: entry)
        try body(try TarReader(input: { try pieces.read(into: $0) }, allowDirectories: true))
        try sealed.drain()
    }

    static func readAll(_ read: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while case let count = try buffer.withUnsafeMutableBytes({ try read($0) }), count > 0 {
            bytes += buffer[0..<count]
        }
        return bytes
    }
}
