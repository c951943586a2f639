import XCTest

@testable import Catalog

/// The pure parts of `page-lsn` incrementals (docs/format.md §6.5), byte by byte.
final class DeltaTests: XCTestCase {
    static let block = PageHeader.blockSize

    /// A valid heap-like page with `lsn` and a recognisable fill byte.
    static func page(lsn: UInt64, fill: UInt8 = 0xAB) -> [UInt8] {
        var page = [UInt8](repeating: fill, count: block)
        func put16(_ value: UInt16, _ offset: Int) {
            page[offset] = UInt8(value & 0xff)
            page[offset + 1] = UInt8(value >> 8)
        }
        func put32(_ value: UInt32, _ offset: Int) {
            for i in 0..<4 { page[offset + i] = UInt8((value >> (8 * i)) & 0xff) }
        }
        put32(UInt32(lsn >> 32), 0)
        put32(UInt32(lsn & 0xffff_ffff), 4)
        put16(0, 8)
        put16(0, 10)
        put16(40, 12)
        put16(8000, 14)
        put16(8192, 16)
        put16(8192 | 4, 18)
        return page
    }

    func mustStore(_ page: [UInt8], since: UInt64) -> Bool {
        page.withUnsafeBytes { PageHeader.mustStore($0, since: LSN(since)) }
    }

    func testPageLSNTest() {
        let since: UInt64 = 0x1_0000_2000
        XCTAssertFalse(mustStore(Self.page(lsn: since - 1), since: since), "older page is skipped")
        XCTAssertFalse(mustStore(Self.page(lsn: since), since: since), "a page at the parent's start is skipped")
        XCTAssertTrue(mustStore(Self.page(lsn: since + 1), since: since), "newer page is stored")
        XCTAssertTrue(mustStore([UInt8](repeating: 0, count: Self.block), since: since), "zero page is stored")
        var disordered = Self.page(lsn: 1)
        disordered[12] = 0xff  // pd_lower 0x..ff > pd_upper
        disordered[13] = 0x1f
        XCTAssertTrue(mustStore(disordered, since: since), "pd_lower beyond pd_upper is not a valid page")
        var badSpecial = Self.page(lsn: 1)
        badSpecial[16] = 0x01
        badSpecial[17] = 0x21  // 8449 > 8192
        XCTAssertTrue(mustStore(badSpecial, since: since))
        var badVersion = Self.page(lsn: 1)
        badVersion[18] = 5
        XCTAssertTrue(mustStore(badVersion, since: since))
        XCTAssertTrue(mustStore(Array(Self.page(lsn: 1).prefix(4096)), since: since), "a short block is stored")
        XCTAssertEqual(Self.page(lsn: 0x5_0000_0010).withUnsafeBytes { PageHeader.lsn($0) }, LSN(0x5_0000_0010))
    }

    func testRelationFileNames() {
        let relations = [
            ("global/1262", false, RelationFileName.Fork.main), ("base/16384/16390", false, .main),
            ("base/1/2619.12", false, .main), ("base/5/16390_fsm", false, .freeSpaceMap),
            ("base/5/16390_vm.1", false, .visibilityMap), ("base/5/16390_init", false, .initialization),
            ("PG_17_202406281/16384/16390", true, .main), ("PG_15_202209061/5/0", true, .main),
        ]
        for (path, tablespace, fork) in relations {
            let name = RelationFileName(path, inTablespace: tablespace)
            XCTAssertEqual(name?.fork, fork, path)
        }
        let others = [
            ("base/16384/INCREMENTAL.16390", false), ("base/16384/LBDELTA.16390", false),
            ("base/16384/PG_VERSION", false), ("base/16384/pg_filenode.map", false), ("global/pg_control", false),
            ("base/16384/t3_16390", false), ("base/x/16390", false), ("base/16384/16390_xx", false),
            ("base/16384/16390.", false), ("base/16384/16390.a", false), ("base/16384/01", false),
            ("pg_wal/000000010000000000000001", false), ("16390", false), ("base/1/2/3", false),
            ("base/16384/16390", true), ("PG_17_x/16384/16390", true), ("PG_17_1/16384/INCREMENTAL.5", true),
            ("pg_tblspc/16385/PG_17_1/5/16390", false),
        ]
        for (path, tablespace) in others {
            XCTAssertNil(RelationFileName(path, inTablespace: tablespace), path)
        }
        XCTAssertEqual(RelationFileName("base/5/16390.2", inTablespace: false)?.deltaPath, "base/5/LBDELTA.16390.2")
        XCTAssertEqual(RelationFileName("base/5/16390", inTablespace: false)?.databaseDirectory, "base/5")
        XCTAssertNil(RelationFileName("global/1262", inTablespace: false)?.databaseDirectory)
        XCTAssertTrue(RelationFileName("base/5/16390_vm", inTablespace: false)!.mustStayWhole)
        XCTAssertFalse(RelationFileName("base/5/16390", inTablespace: false)!.mustStayWhole)
    }

    func testTarHeaderRoundTripAndRename() throws {
        let header = TarHeader.file(name: "base/5/16390", size: 3 * 8192, modificationTime: 1_700_000_000)
        let parsed = try XCTUnwrap(TarHeader(header.bytes))
        XCTAssertEqual(parsed.name, "base/5/16390")
        XCTAssertEqual(parsed.size, 3 * 8192)
        XCTAssertEqual(parsed.modificationTime, 1_700_000_000)
        XCTAssertTrue(parsed.isRegularFile)
        let renamed = parsed.renamed("base/5/LBDELTA.16390", size: 12345)
        let again = try XCTUnwrap(TarHeader(renamed.bytes), "the checksum is recomputed")
        XCTAssertEqual(again.name, "base/5/LBDELTA.16390")
        XCTAssertEqual(again.size, 12345)
        XCTAssertEqual(again.paddedSize, 12800)
        XCTAssertEqual(again.modificationTime, 1_700_000_000)
        var corrupt = header.bytes
        corrupt[3] ^= 1
        XCTAssertNil(TarHeader(corrupt), "a wrong checksum is not a header")
        var big = header.bytes
        big.replaceSubrange(124..<136, with: [0x80, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0])  // base-256: 2^33
        XCTAssertEqual(TarHeader.number(big[124..<136]), 1 << 33)
    }

    // MARK: server manifest

    static let manifestText = """
        { "PostgreSQL-Backup-Manifest-Version": 2,
        "System-Identifier": 7400000000000000001,
        "Files": [
        { "Path": "backup_label", "Size": 227, "Last-Modified": "2026-11-21 03:14:00 GMT" },
        { "Path": "base/5/PG_VERSION", "Size": 3, "Last-Modified": "2026-01-01 00:00:00 GMT" },
        { "Path": "base/5/16390", "Size": 16384, "Last-Modified": "2026-11-21 03:14:00 GMT" },
        { "Path": "base/5/16391", "Size": 24576, "Last-Modified": "2026-11-21 03:14:00 GMT" },
        { "Path": "base/5/16391_vm", "Size": 8192, "Last-Modified": "2026-11-21 03:14:00 GMT" },
        { "Path": "base/5/16392", "Size": 8192, "Last-Modified": "2026-11-21 03:14:00 GMT" },
        { "Encoded-Path": "676c6f62616c2f31323632", "Size": 8192, "Last-Modified": "2026-11-21 03:14:00 GMT" }
        ],
        "WAL-Ranges": [
        { "Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/2000100" }
        ],
        "Manifest-Checksum": "abc"}

        """

    static func manifest(chunk: Int = 17) throws -> ServerManifestIndex {
        var index = ServerManifestIndex()
        let bytes = Array(manifestText.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunk, bytes.count)
            try bytes[offset..<end].withUnsafeBytes { try index.consume($0) }
            offset = end
        }
        try index.finish()
        return index
    }

    func testServerManifestIndex() throws {
        let index = try Self.manifest()
        XCTAssertEqual(index.files.count, 7)
        XCTAssertEqual(index["base/5/16390"], .init(size: 16384, modified: 1_795_230_840))
        XCTAssertEqual(index["global/1262"]?.size, 8192, "Encoded-Path is hex of the path")
        XCTAssertEqual(index["base/5/PG_VERSION"]?.modified, 1_767_225_600)
        XCTAssertEqual(index.systemIdentifier, "7400000000000000001")
        XCTAssertEqual(ServerManifestIndex.epochSeconds("1970-01-01 00:00:01 GMT"), 1)
        XCTAssertEqual(ServerManifestIndex.epochSeconds("2000-03-01 00:00:00 GMT"), 951_868_800)
        var empty = ServerManifestIndex()
        try Array("{ \"PostgreSQL-Backup-Manifest-Version\": 1 }\n".utf8).withUnsafeBytes { try empty.consume($0) }
        XCTAssertThrowsError(try empty.finish())
        var broken = ServerManifestIndex()
        XCTAssertThrowsError(
            try Array("\"Files\": [\n{ \"Path\": \"x\", \"Size\": }\n".utf8).withUnsafeBytes { try broken.consume($0) })
    }

    // MARK: the rewriter

    struct Entry {
        var name: String
        var data: [UInt8]
        var modified: Int64 = 1_795_230_840
    }

    static func tar(_ entries: [Entry]) -> [UInt8] {
        var out: [UInt8] = []
        for entry in entries {
            out +=
                TarHeader.file(name: entry.name, size: Int64(entry.data.count), modificationTime: entry.modified)
                .bytes
            out += entry.data
            out += [UInt8](repeating: 0, count: Int(TarHeader.padded(Int64(entry.data.count))) - entry.data.count)
        }
        return out + [UInt8](repeating: 0, count: 1024)
    }

    static func untar(_ bytes: [UInt8]) throws -> [Entry] {
        var entries: [Entry] = []
        var offset = 0
        while offset + 512 <= bytes.count {
            let block = bytes[offset..<offset + 512]
            if TarHeader.isZeroBlock(block) { break }
            let header = try XCTUnwrap(TarHeader(block))
            let start = offset + 512
            entries.append(Entry(name: header.name, data: Array(bytes[start..<start + Int(header.size)])))
            offset = start + Int(header.paddedSize)
        }
        XCTAssertEqual(bytes.count - offset, 1024, "the end-of-archive marker passes through")
        return entries
    }

    func rewrite(_ input: [UInt8], chunk: Int, manifestPrefix: String = "", tablespace: Bool = false) throws -> (
        [UInt8], DeltaTarRewriter
    ) {
        var output: [UInt8] = []
        let rules = PageLSNDeltaRules(
            parent: try Self.manifest(), manifestPrefix: manifestPrefix, inTablespace: tablespace)
        let rewriter = DeltaTarRewriter(rules: rules, since: LSN(0x100)) { output += $0 }
        var offset = 0
        while offset < input.count {
            let end = min(offset + chunk, input.count)
            try input[offset..<end].withUnsafeBytes { try rewriter.write($0) }
            offset = end
        }
        try rewriter.finish()
        return (output, rewriter)
    }

    func testRewriterStoresOnlyChangedBlocksAndKeepsEverythingElseWhole() throws {
        let old = Self.page(lsn: 0x80, fill: 1)
        let new = Self.page(lsn: 0x180, fill: 2)
        let zero = [UInt8](repeating: 0, count: Self.block)
        let input = Self.tar([
            Entry(name: "backup_label", data: Array("START WAL LOCATION: 0/300\n".utf8)),
            Entry(name: "base/5/PG_VERSION", data: Array("15\n".utf8), modified: 1_767_225_600),
            Entry(name: "base/5/16390", data: old + new + zero),  // parent had 2 blocks: block 2 is new
            Entry(name: "base/5/16391", data: old + old),  // truncated from 3 blocks
            Entry(name: "base/5/16391_vm", data: old),  // forks other than main stay whole
            Entry(name: "base/5/16393", data: old),  // not in the parent
            Entry(name: "base/5/16392", data: old + Array(old.prefix(100))),  // not whole blocks
            Entry(name: "global/1262", data: old),
        ])
        for chunk in [1, 511, 1000, 8192, 70000] {
            let (output, rewriter) = try rewrite(input, chunk: chunk)
            let entries = try Self.untar(output)
            XCTAssertEqual(
                entries.map(\.name),
                [
                    "backup_label", "base/5/PG_VERSION", "base/5/LBDELTA.16390", "base/5/LBDELTA.16391",
                    "base/5/16391_vm", "base/5/16393", "base/5/16392", "global/LBDELTA.1262",
                ], "chunk \(chunk)")
            // One part: "LBDELTA2", L 3, B, n 2, last; numbers 1 and 2; the changed block and the zero page.
            let delta = entries[2].data
            XCTAssertEqual(delta.count, 24 + 2 * 4 + 2 * Self.block, "the unchanged block 0 is left out")
            XCTAssertEqual(Array(delta[0..<8]), Array("LBDELTA2".utf8))
            XCTAssertEqual(
                Array(delta[8..<32]), [3, 0, 0, 0, 0, 0x20, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0])
            XCTAssertEqual(Array(delta[32..<32 + Self.block]), new)
            XCTAssertEqual(Array(delta[32 + Self.block..<32 + 2 * Self.block]), zero, "a zero page is stored as is")
            XCTAssertEqual(
                entries[3].data, Array("LBDELTA2".utf8) + [2, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0],
                "a truncated file's old blocks are all unchanged: one empty last part")
            XCTAssertEqual(entries[4].data, old)
            XCTAssertEqual(entries[5].data, old)
            XCTAssertEqual(entries[6].data.count, Self.block + 100)
            XCTAssertEqual(entries[7].data.count, 24)
            XCTAssertEqual(rewriter.deltaFiles, 3)
            XCTAssertEqual(rewriter.storedBlocks, 2)
            XCTAssertEqual(rewriter.skippedBlocks, 4)
        }
    }

    /// A part holds at most 128 blocks and goes out once another block is to be stored: 298 stored blocks are
    /// parts of 128, 128 and 42, only the last flagged; 128 stored blocks are one last part.
    func testManyStoredBlocksAreSplitIntoPartsOf128() throws {
        let old = Self.page(lsn: 0x80, fill: 1)
        let grown = (2..<300).map { Self.page(lsn: 0x80, fill: UInt8($0 % 200 + 2)) }
        let exact = (2..<130).map { _ in Self.page(lsn: 0x180, fill: 9) }
        let input = Self.tar([
            Entry(name: "base/5/16390", data: old + old + grown.flatMap { $0 }),  // the parent had 2 blocks
            Entry(name: "global/1262", data: old + exact.flatMap { $0 }),  // parent 1 block: 128 new ones
        ])
        for chunk in [4096, 70000] {
            let (output, rewriter) = try rewrite(input, chunk: chunk)
            let entries = try Self.untar(output)
            XCTAssertEqual(
                entries.map(\.name), Array(repeating: "base/5/LBDELTA.16390", count: 3) + ["global/LBDELTA.1262"])
            var expected = 2
            for (index, (entry, count)) in zip(entries, [128, 128, 42, 128]).enumerated() {
                let data = entry.data
                XCTAssertEqual(Array(data[0..<8]), Array("LBDELTA2".utf8))
                XCTAssertEqual(Self.uint32(data, 16), count)
                XCTAssertEqual(Self.uint32(data, 20), index == 0 || index == 1 ? 0 : 1, "only a file's last part")
                XCTAssertEqual(data.count, 24 + count * (4 + Self.block))
                if index == 3 { expected = 1 }
                for slot in 0..<count {
                    XCTAssertEqual(Self.uint32(data, 24 + 4 * slot), expected)
                    let start = 24 + 4 * count + slot * Self.block
                    let wanted = index == 3 ? exact[slot] : grown[expected - 2]
                    XCTAssertEqual(Array(data[start..<start + Self.block]), wanted, "block \(expected)")
                    expected += 1
                }
            }
            XCTAssertEqual(Self.uint32(entries[0].data, 8), 300)
            XCTAssertEqual(rewriter.storedBlocks, 298 + 128)
            XCTAssertEqual(rewriter.skippedBlocks, 2 + 1)
        }
    }

    /// A delta is at most one default segment (1 GiB) long, the longest a restore accepts: a larger file (a server
    /// built with larger segments) stays whole.
    func testAFileLargerThanADefaultSegmentStaysWhole() throws {
        var rules = PageLSNDeltaRules(parent: try Self.manifest(), manifestPrefix: "", inTablespace: false)
        let segment: Int64 = 131_072 * 8192
        let fits = TarHeader.file(name: "base/5/16390", size: segment, modificationTime: 1)
        XCTAssertEqual(try rules.decide(fits), .delta(path: "base/5/LBDELTA.16390", parentBlocks: 2))
        let larger = TarHeader.file(name: "base/5/16390", size: segment + 8192, modificationTime: 1)
        XCTAssertEqual(try rules.decide(larger), .whole)
    }

    static func uint32(_ bytes: [UInt8], _ offset: Int) -> Int {
        (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
    }

    func testTablespaceEntriesAreLookedUpUnderPgTblspc() throws {
        let old = Self.page(lsn: 0x80)
        let input = Self.tar([Entry(name: "PG_15_202209061/5/16390", data: old + old)])
        let mapped = """
            "Files": [
            { "Path": "pg_tblspc/16385/PG_15_202209061/5/16390", "Size": 16384, "Last-Modified": "2026-11-21 03:14:00 GMT" }
            ]

            """
        var index = ServerManifestIndex()
        try Array(mapped.utf8).withUnsafeBytes { try index.consume($0) }
        try index.finish()
        var output: [UInt8] = []
        let rules = PageLSNDeltaRules(parent: index, manifestPrefix: "pg_tblspc/16385/", inTablespace: true)
        let rewriter = DeltaTarRewriter(rules: rules, since: LSN(0x100)) { output += $0 }
        try input.withUnsafeBytes { try rewriter.write($0) }
        try rewriter.finish()
        XCTAssertEqual(try Self.untar(output).map(\.name), ["PG_15_202209061/5/LBDELTA.16390"])
    }

    func testARecreatedDatabaseIsWholeOrRestartsTheSnapshot() throws {
        let old = Self.page(lsn: 0x80)
        // PG_VERSION first and changed: the database's files stay whole.
        let first = Self.tar([
            Entry(name: "base/5/PG_VERSION", data: Array("15\n".utf8), modified: 1_800_000_000),
            Entry(name: "base/5/16390", data: old + old),
        ])
        XCTAssertEqual(
            try Self.untar(try rewrite(first, chunk: 4096).0).map(\.name), ["base/5/PG_VERSION", "base/5/16390"])
        // PG_VERSION after a delta was written, and changed: the snapshot must be taken again as a full.
        let late = Self.tar([
            Entry(name: "base/5/16390", data: old + old),
            Entry(name: "base/5/PG_VERSION", data: Array("15\n".utf8), modified: 1_800_000_000),
        ])
        XCTAssertThrowsError(try rewrite(late, chunk: 4096)) { error in
            XCTAssertEqual(error as? DeltaStreamError, .databaseRecreated("base/5"))
        }
        // The same order with an unchanged PG_VERSION is fine.
        let same = Self.tar([
            Entry(name: "base/5/16390", data: old + old),
            Entry(name: "base/5/PG_VERSION", data: Array("15\n".utf8), modified: 1_767_225_600),
        ])
        XCTAssertEqual(
            try Self.untar(try rewrite(same, chunk: 4096).0).map(\.name), ["base/5/LBDELTA.16390", "base/5/PG_VERSION"])
    }

    func testAStreamEndingInsideAnEntryIsRefused() throws {
        let input = Self.tar([Entry(name: "base/5/16390", data: Self.page(lsn: 1) + Self.page(lsn: 1))])
        XCTAssertThrowsError(try rewrite(Array(input.prefix(512 + 8192)), chunk: 1000))
        var bad = input
        bad[0] ^= 0x20
        XCTAssertThrowsError(try rewrite(bad, chunk: 1000), "a header with a wrong checksum")
    }
}
