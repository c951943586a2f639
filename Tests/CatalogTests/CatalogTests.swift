import Catalog
import Foundation
import XCTest

final class CatalogTests: XCTestCase {
    func testBackupIDsSortByTimeAndValidate() throws {
        let early = BackupID.generate(at: Date(timeIntervalSince1970: 1_700_000_000), suffix: 0xabc)
        let late = BackupID.generate(at: Date(timeIntervalSince1970: 1_800_000_000), suffix: 0x1)
        XCTAssertEqual(early.rawValue, "20231114T221320Z-000abc")
        XCTAssertLessThan(early, late)
        XCTAssertNotNil(BackupID(early.rawValue))
        for bad in ["", "20231114T221320Z", "20231114T221320Z-00ABC0", "2023111xT221320Z-000abc", "../etc/passwd"] {
            XCTAssertNil(BackupID(bad), bad)
        }
    }

    func testCompletedBackupsAreExactlyThoseWithAManifest() {
        let keys = [
            "backups/main/20261101T010000Z-000001/db-0001.tar.zst.lbx",
            "backups/main/20261101T010000Z-000001/manifest.lbx",
            "backups/main/20261102T010000Z-000002/db-0001.tar.zst.lbx",  // failed: no manifest
            "backups/main/20261103T010000Z-000003/manifest.lbx",
            "backups/other/20261104T010000Z-000004/manifest.lbx",
            "backups/main/not-an-id/manifest.lbx",
        ]
        XCTAssertEqual(
            RepositoryLayout.completedBackups(in: keys, cluster: "main").map(\.rawValue),
            ["20261101T010000Z-000001", "20261103T010000Z-000003"])
    }

    func testManifestJSONRoundTripsWithSnakeCaseKeys() throws {
        let manifest = BackupManifest(
            id: BackupID.generate(at: Date(timeIntervalSince1970: 1_800_000_000), suffix: 7), cluster: "main",
            kind: .logical,
            label: "nightly", startedAt: Date(timeIntervalSince1970: 1_800_000_000.25),
            finishedAt: Date(timeIntervalSince1970: 1_800_000_100),
            pinned: false, keepUntil: nil, tool: ToolInfo(name: "lifeboat", version: "0.1.0", host: "db1"),
            server: ServerInfo(
                version: "15.20", versionNumber: 150020, systemIdentifier: "7312", timeline: 1, startLsn: "0/3000028",
                stopLsn: "0/3000100"),
            compression: CompressionInfo(algorithm: "zstd", level: 3),
            encryption: EncryptionInfo(algorithm: "aes-256-gcm-stream-v1", keyId: "ab"),
            objects: [StoredObject(name: "db-0001.tar.zst.lbx", storedSize: 10, sha256: "00", contentSize: 30)],
            databases: [
                DatabaseRecord(
                    name: "shop", object: "db-0001.tar.zst.lbx", dumpFormat: "pg_dump-custom",
                    tables: [TableCount(schema: "public", table: "t", rows: 5)])
            ],
            globals: GlobalsRecord(object: nil, note: "not a superuser"))
        let data = try CatalogCoding.encoder().encode(manifest)
        let text = String(decoding: data, as: UTF8.self)
        for key in [
            "\"format_version\":1", "\"start_lsn\":\"0/3000028\"", "\"key_id\":\"ab\"",
            "\"started_at\":\"2027-01-15T08:00:00.250Z\"",
            "\"content_size\":30", "\"stored_size\":10",
        ] {
            XCTAssertTrue(text.contains(key), "\(key) missing in \(text)")
        }
        XCTAssertEqual(try CatalogCoding.decoder().decode(BackupManifest.self, from: data), manifest)
        XCTAssertEqual(manifest.storedBytes, 10)
        XCTAssertEqual(manifest.databases[0].totalRows, 5)
    }

    func testTimestampsParseDatesAndRFC3339() {
        XCTAssertEqual(CatalogCoding.parseTimestamp("2026-12-31")?.timeIntervalSince1970, 1_798_675_200)
        XCTAssertEqual(CatalogCoding.parseTimestamp("2026-12-31T00:00:00Z")?.timeIntervalSince1970, 1_798_675_200)
        XCTAssertEqual(
            CatalogCoding.parseTimestamp("2026-12-31T01:00:00.5+01:00")?.timeIntervalSince1970, 1_798_675_200.5)
        XCTAssertNil(CatalogCoding.parseTimestamp("31/12/2026"))
    }
}

final class TimestampParsingTests: XCTestCase {
    func testAcceptedForms() {
        let expected = Date(timeIntervalSince1970: 1_795_230_840)  // 2026-11-21T03:14:00Z
        XCTAssertEqual(CatalogCoding.parseTimestamp("2026-11-21T03:14:00Z"), expected)
        XCTAssertEqual(CatalogCoding.parseTimestamp("2026-11-21 03:14:00+00"), expected)
        XCTAssertEqual(CatalogCoding.parseTimestamp("2026-11-21 04:14:00+01:00"), expected)
        XCTAssertEqual(CatalogCoding.parseTimestamp("2026-11-21T04:44:00+0130"), expected)
        XCTAssertEqual(
            CatalogCoding.parseTimestamp("2026-11-21 03:14:00.250+00")?.timeIntervalSince1970 ?? 0, 1_795_230_840.25,
            accuracy: 0.001)
        XCTAssertEqual(CatalogCoding.parseTimestamp("2026-11-21"), Date(timeIntervalSince1970: 1_795_219_200))
    }

    func testNothingIsSilentlyTruncated() {
        for text in [
            "2026-11-21 03:14:00", "2026-11-21T03:14", "2026-11-21 03:14", "2026-11-21X", "2026-11-21 junk",
            "21.11.2026",
            "2026-11-21T03:14:00Zjunk", "2026-13-01", "", "2026-11-21T03:14:00+1",
        ] {
            XCTAssertNil(CatalogCoding.parseTimestamp(text), text)
        }
    }
}
