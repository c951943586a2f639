// WAL file names, the WAL part of the repository layout, and the first page header of a segment.
import Catalog
import Foundation
import XCTest

final class WALNameTests: XCTestCase {
    func testSegmentNamesParseIntoTimelineLogAndSeg() throws {
        let name = try XCTUnwrap(WALName("0000000A0000001F000000FE"))
        XCTAssertEqual(name.kind, .segment)
        XCTAssertEqual(name.timeline, 10)
        XCTAssertEqual(name.log, 0x1F)
        XCTAssertEqual(name.seg, 0xFE)
        XCTAssertEqual(name.timelineHex, "0000000A")
        XCTAssertEqual(name.segmentName, "0000000A0000001F000000FE")
        XCTAssertTrue(name.isSegmentFile)
        // 16 MiB segments: 256 per log file, so 0x1F/0xFE is segment 0x1F * 256 + 0xFE.
        XCTAssertEqual(name.segmentNumber(segmentSize: 16 << 20), 0x1F * 256 + 0xFE)
        // 1 GiB segments: 4 per log file, so seg 0xFE does not exist there.
        XCTAssertNil(name.segmentNumber(segmentSize: 1 << 30))
        XCTAssertNil(name.segmentNumber(segmentSize: 3 << 20), "not a power of two")
    }

    func testPartialHistoryAndBackupHistoryFiles() throws {
        let partial = try XCTUnwrap(WALName("000000020000000000000005.partial"))
        XCTAssertEqual(partial.kind, .partial)
        XCTAssertEqual(partial.timeline, 2)
        XCTAssertTrue(partial.isSegmentFile)
        XCTAssertEqual(partial.segmentName, "000000020000000000000005")

        let history = try XCTUnwrap(WALName("0000000B.history"))
        XCTAssertEqual(history.kind, .history)
        XCTAssertEqual(history.timeline, 11)
        XCTAssertFalse(history.isSegmentFile)
        XCTAssertNil(history.segmentName)
        XCTAssertNil(history.segmentNumber(segmentSize: 16 << 20))

        let backup = try XCTUnwrap(WALName("000000010000000000000002.00000028.backup"))
        XCTAssertEqual(backup.kind, .backup)
        XCTAssertEqual(backup.timeline, 1)
        XCTAssertEqual(backup.seg, 2)
        XCTAssertFalse(backup.isSegmentFile)
    }

    func testJunkAndPathTricksAreRejected() {
        let bad = [
            "", "x", "RECOVERYXLOG", "archive_status",
            "00000001000000000000000",  // 23 digits
            "0000000100000000000000001",  // 25 digits
            "000000010000000000000003x",
            "00000001000000000000000g",
            "000000010000000000000003".lowercased().replacingOccurrences(of: "3", with: "a"),  // lower-case hex
            "0000000100000000000000ab",  // lower-case hex
            "000000000000000000000003",  // timeline 0 does not exist
            "000000010000000000001000",  // seg beyond any segment size
            "00000000.history", "0000000g.history", "0000001.history", "00000002.History", "00000002.history.gz",
            "000000010000000000000003.part", "000000010000000000000003.partial.gz", ".partial",
            "000000010000000000000002.0000002.backup", "000000010000000000000002-00000028.backup",
            "000000010000000000000002.0000002G.backup",
            "../000000010000000000000003", "/000000010000000000000003", "pg_wal/000000010000000000000003",
            "000000010000000000000003/", "..", ".", "0000000100000000000000\u{0}3",
            " 000000010000000000000003", "000000010000000000000003\n",
            "00000001000000000000000３",  // a full-width digit
        ]
        for text in bad {
            XCTAssertNil(WALName(text), "accepted \(text.debugDescription)")
        }
    }

    func testPushPathsUseTheirLastComponent() throws {
        XCTAssertEqual(WALName(fileAt: "pg_wal/000000010000000000000003")?.rawValue, "000000010000000000000003")
        XCTAssertEqual(WALName(fileAt: "/var/lib/postgresql/15/main/pg_wal/00000002.history")?.kind, .history)
        XCTAssertEqual(WALName(fileAt: "000000010000000000000003")?.kind, .segment)
        for bad in [
            "", "pg_wal/", "pg_wal/..", "../x", "/etc/passwd", "pg_wal/000000010000000000000003/",
            "pg_wal/RECOVERYXLOG", "/", "pg_wal/00000001000000000000000\u{0}",
        ] {
            XCTAssertNil(WALName(fileAt: bad), "accepted \(bad.debugDescription)")
        }
    }

    func testNamesSortInWALOrderWithinATimeline() throws {
        let names = ["000000010000000100000000", "0000000100000000000000FF", "000000010000000000000010"]
            .compactMap { WALName($0) }.sorted().map(\.rawValue)
        XCTAssertEqual(names, ["000000010000000000000010", "0000000100000000000000FF", "000000010000000100000000"])
    }

    func testRepositoryLayoutOfWAL() throws {
        let segment = try XCTUnwrap(WALName("000000010000000000000003"))
        XCTAssertEqual(
            RepositoryLayout.walObject(cluster: "main", object: .legacy(segment)),
            "wal/main/00000001/000000010000000000000003.lbx")
        XCTAssertEqual(
            RepositoryLayout.walObject(
                cluster: "main", object: WALObjectName(name: segment, token: "0123456789abcdef")),
            "wal/main/00000001/000000010000000000000003.0123456789abcdef.lbx")
        XCTAssertEqual(
            RepositoryLayout.walRecord(cluster: "main", name: segment),
            "wal/main/00000001/000000010000000000000003.meta.lbx")
        let history = try XCTUnwrap(WALName("00000002.history"))
        XCTAssertEqual(
            RepositoryLayout.walObject(cluster: "db1", object: .legacy(history)), "wal/db1/history/00000002.history.lbx"
        )
        XCTAssertEqual(
            RepositoryLayout.walRecord(cluster: "db1", name: history), "wal/db1/history/00000002.history.meta.lbx")
        let partial = try XCTUnwrap(WALName("0000000A0000000000000005.partial"))
        XCTAssertEqual(
            RepositoryLayout.walObject(cluster: "main", object: .legacy(partial)),
            "wal/main/0000000A/0000000A0000000000000005.partial.lbx")
        XCTAssertEqual(RepositoryLayout.walSystemIdentifier(cluster: "main"), "wal/main/system-identifier.lbx")
    }

    // MARK: segment header

    /// A long page header as PostgreSQL 15 writes it on x86 (copied from a real segment, system id 7710725327547746787).
    static let realHeader: [UInt8] = [
        0x10, 0xd1, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xe3, 0x49, 0x17, 0x0d, 0xd5, 0xff, 0x01, 0x6b,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x20, 0x00, 0x00,
    ]

    func testRealSegmentHeaderParses() throws {
        let header = try WALSegmentHeader(Self.realHeader)
        XCTAssertEqual(header.magic, 0xD110)
        XCTAssertEqual(header.timeline, 1)
        XCTAssertEqual(header.pageAddress, 0x0100_0000)
        XCTAssertEqual(header.systemIdentifier, 7_710_725_327_547_746_787)
        XCTAssertEqual(header.segmentSize, 16 << 20)
        XCTAssertEqual(header.blockSize, 8192)
        try header.check(name: try XCTUnwrap(WALName("000000010000000000000001")), fileSize: 16 << 20)
        // The .partial copy of the same segment, and the same segment number on a later timeline
        // (a new timeline's first segment starts as a copy of the old one's).
        try header.check(name: try XCTUnwrap(WALName("000000010000000000000001.partial")), fileSize: 16 << 20)
        try header.check(name: try XCTUnwrap(WALName("000000020000000000000001")), fileSize: 16 << 20)
    }

    func testHeaderRejectsRenamedTruncatedAndForeignFiles() throws {
        let header = try WALSegmentHeader(Self.realHeader)
        XCTAssertThrowsError(
            try header.check(name: try XCTUnwrap(WALName("000000010000000000000002")), fileSize: 16 << 20)
        ) {
            XCTAssertTrue("\($0)".contains("0/2000000"), "\($0)")
        }
        XCTAssertThrowsError(
            try header.check(name: try XCTUnwrap(WALName("000000010000000000000001")), fileSize: 8 << 20)
        ) {
            XCTAssertTrue("\($0)".contains("8388608 bytes long"), "\($0)")
        }
        XCTAssertThrowsError(try WALSegmentHeader(Array(Self.realHeader.prefix(39))))
        XCTAssertThrowsError(try WALSegmentHeader(Array("root:x:0:0:root:/root:/bin/bash\nnobody:x:6".utf8)))
        var short = Self.realHeader
        short[2] = 0x00  // a short page header: not the first page of a segment
        XCTAssertThrowsError(try WALSegmentHeader(short))
        var oddSize = Self.realHeader
        oddSize[34] = 0x30  // 0x01300000: not a power of two
        XCTAssertThrowsError(try WALSegmentHeader(oddSize))
    }

    func testBigEndianHeaderParses() throws {
        func swapped(_ offset: Int, _ count: Int, _ bytes: inout [UInt8]) {
            bytes[offset..<(offset + count)].reverse()
        }
        var bytes = Self.realHeader
        for (offset, count) in [(0, 2), (2, 2), (4, 4), (8, 8), (16, 4), (24, 8), (32, 4), (36, 4)] {
            swapped(offset, count, &bytes)
        }
        let header = try WALSegmentHeader(bytes)
        XCTAssertEqual(header, try WALSegmentHeader(Self.realHeader))
    }

    func testLSNText() {
        XCTAssertEqual(WALSegmentHeader.lsn(0x0000_0001_0000_0028), "1/28")
        XCTAssertEqual(WALSegmentHeader.lsn(0x0300_0000), "0/3000000")
    }

    func testObjectNamesRoundTripAndNeverMistakeARecordOrAWALSuffixForAToken() throws {
        for text in [
            "000000010000000000000003", "0000000A0000000000000005.partial", "00000002.history",
            "000000010000000000000002.00000028.backup",
        ] {
            let name = try XCTUnwrap(WALName(text))
            let fresh = WALObjectName.fresh(for: name)
            XCTAssertEqual(fresh.token?.count, WALObjectName.tokenLength)
            XCTAssertEqual(WALObjectName(fileName: fresh.fileName), fresh, fresh.fileName)
            XCTAssertNotEqual(WALObjectName.fresh(for: name), fresh, "every push gets a name of its own")
            XCTAssertEqual(WALObjectName(fileName: text + ".lbx"), .legacy(name))
            XCTAssertNil(WALObjectName(fileName: text + ".meta.lbx"), "a record is not an object")
        }
        for junk in [
            "000000010000000000000003.0123456789ABCDEF.lbx", "000000010000000000000003.0123456789abcde.lbx",
            "000000010000000000000003.0123456789abcdef", "system-identifier.lbx", "x.0123456789abcdef.lbx",
            "000000010000000000000003..lbx",
        ] {
            XCTAssertNil(WALObjectName(fileName: junk), junk)
        }
    }

    func testRecordsNameTheirObjectAndVersionOneRecordsMeanTheLegacyName() throws {
        let tool = ToolInfo(name: "lifeboat", version: "0.1.0", host: "db1")
        let compression = CompressionInfo(algorithm: "zstd", level: 3)
        let name = try XCTUnwrap(WALName("000000010000000000000003"))
        let object = WALObjectName.fresh(for: name)
        let named = WALFileRecord(
            cluster: "main", name: name.rawValue, size: 1, sha256: "ab", systemIdentifier: nil,
            compression: compression, archivedAt: Date(), tool: tool, object: object.fileName)
        XCTAssertEqual(named.formatVersion, 2)
        XCTAssertEqual(named.objectName, object)
        let legacy = WALFileRecord(
            cluster: "main", name: name.rawValue, size: 1, sha256: "ab", systemIdentifier: nil,
            compression: compression, archivedAt: Date(), tool: tool)
        XCTAssertEqual(legacy.formatVersion, 1)
        XCTAssertEqual(legacy.objectName, .legacy(name))
        var elsewhere = named
        elsewhere.object = WALObjectName.fresh(for: try XCTUnwrap(WALName("000000010000000000000004"))).fileName
        XCTAssertNil(elsewhere.objectName, "a record naming another file's object is damaged")
        elsewhere.object = name.rawValue + ".lbx"
        XCTAssertNil(elsewhere.objectName, "a version 2 record names a per-push object")
    }

    func testRecordsUseSnakeCaseJSON() throws {
        let record = WALFileRecord(
            cluster: "main", name: "000000010000000000000003", size: 16 << 20, sha256: "ab",
            systemIdentifier: "7710725327547746787", compression: CompressionInfo(algorithm: "zstd", level: 3),
            archivedAt: Date(timeIntervalSince1970: 1_800_000_000),
            tool: ToolInfo(name: "lifeboat", version: "0.1.0", host: "db1"))
        let json = String(decoding: try CatalogCoding.encoder().encode(record), as: UTF8.self)
        XCTAssertTrue(json.contains("\"format_version\":1"), json)
        XCTAssertTrue(json.contains("\"system_identifier\":\"7710725327547746787\""), json)
        XCTAssertTrue(json.contains("\"archived_at\":\"2027-01-15T08:00:00.000Z\""), json)
        XCTAssertEqual(try CatalogCoding.decoder().decode(WALFileRecord.self, from: Data(json.utf8)), record)
    }
}
