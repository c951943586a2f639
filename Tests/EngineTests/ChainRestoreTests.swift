// ChainRestoreTests: an incremental snapshot is restored with its chain, in place, newest backup first
// (docs/format.md §6.5): the newest backup says which files exist, each block comes from the newest backup holding
// it below every newer delta's limit, the rest is zeros; damage is exit 4 with nothing left in the directory.
// The chains are real sealed objects in a MemoryStore (ChainHistory), so the whole restore runs, without --start.
import Catalog
import Configuration
import Diagnostics
import Foundation
import Logging
import Storage
import TestSupport
import XCTest

@testable import Engine

final class ChainRestoreTests: XCTestCase {
    var scratch: String!

    override func setUpWithError() throws {
        scratch = try temporaryDirectory(prefix: "chain-restore")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: scratch)
    }

    typealias Files = [(String, [UInt8])]

    static func blocks(_ fills: [UInt8]) -> [UInt8] { fills.flatMap { DeltaBytes.block($0) } }

    /// PostgreSQL 17's `INCREMENTAL.<relfilenode>` file in database 5: a truncation length and blocks given by
    /// number and the byte that fills them.
    static func incremental(_ relfilenode: Int, truncation: Int, fills: [(Int, UInt8)]) -> (String, [UInt8]) {
        let blocks = fills.map { ($0.0, DeltaBytes.block($0.1)) }
        return ("base/5/INCREMENTAL.\(relfilenode)", DeltaBytes.incremental(truncation: truncation, blocks: blocks))
    }

    /// How a test writes a page-lsn delta file: dense (`LBDELTA1`, lifeboat before format version 5) or in sparse
    /// parts (`LBDELTA2`) of `perPart` blocks.
    enum Encoding {
        case dense
        case sparse(perPart: Int)
    }

    static func lbdelta(_ name: String, length: Int, blocks: [(Int, [UInt8])], _ encoding: Encoding) -> Files {
        switch encoding {
        case .dense: return [(name, DeltaBytes.lbdelta(length: length, blocks: blocks))]
        case .sparse(let perPart):
            return DeltaBytes.lbdeltaParts(length: length, blocks: blocks, perPart: perPart).map { (name, $0) }
        }
    }

    // MARK: page-lsn: truncation, extension, holes, files only older backups have, tablespaces

    func testAPageLSNChainOfThreeIsReconstructedInPlace() throws {
        try assertChainOfThree(middle: .sparse(perPart: 128), newest: .sparse(perPart: 128))
    }

    /// One block to a part: every file comes in several parts, and a region's blocks are gathered across them.
    func testSparsePartsOfOneBlockEachReconstructTheSameFiles() throws {
        try assertChainOfThree(middle: .sparse(perPart: 1), newest: .sparse(perPart: 1))
    }

    /// A chain begun by an older lifeboat (dense deltas) and continued by this one (sparse): each entry is read by
    /// its own magic.
    func testADenseDeltaUnderASparseOneIsReadByItsMagic() throws {
        try assertChainOfThree(middle: .dense, newest: .sparse(perPart: 2))
    }

    /// Chains an older lifeboat wrote still restore.
    func testADenseChainStillRestores() throws {
        try assertChainOfThree(middle: .dense, newest: .dense)
    }

    private func assertChainOfThree(middle middleForm: Encoding, newest newestForm: Encoding) throws {
        let history = try ChainHistory()
        let full = try history.snapshot(
            ChainHistory.baseFiles(
                label: "full",
                extra: [
                    ("base/5/100", Self.blocks([0xA0, 0xA1, 0xA2, 0xA3])), ("base/5/101", Self.blocks([0xD0, 0xD1])),
                    ("base/5/102", Self.blocks([0x20])), ("base/5/106", Self.blocks([0x60, 0x61])),
                    ("base/5/LBDELTA.106", Array("junk".utf8)),  // a full snapshot has no delta entries
                ]),
            tablespaces: [16400: [("PG_15_1/5/200", Self.blocks([0x70, 0x71]))]])
        let middle = try history.snapshot(
            ChainHistory.baseFiles(
                label: "middle",
                extra: Self.lbdelta(
                    "base/5/LBDELTA.100", length: 5,
                    blocks: [(1, DeltaBytes.block(0xB1)), (4, DeltaBytes.block(0xB4))],
                    middleForm)
                    + Self.lbdelta("base/5/LBDELTA.101", length: 2, blocks: [], middleForm)
                    + [("base/5/102", Self.blocks([0x21])), ("base/5/103", Self.blocks([0x30, 0x31]))]
                    + Self.lbdelta("base/5/LBDELTA.106", length: 2, blocks: [], middleForm)),
            tablespaces: [16400: Self.lbdelta("PG_15_1/5/LBDELTA.200", length: 2, blocks: [], middleForm)],
            parent: full)
        let newest = try history.snapshot(
            ChainHistory.baseFiles(
                label: "newest",
                // 100 truncated to 3 blocks; block 2 stored as zeros must not come back from an older backup
                extra: Self.lbdelta(
                    "base/5/LBDELTA.100", length: 3, blocks: [(0, DeltaBytes.block(0xC0)), (2, DeltaBytes.block(0))],
                    newestForm)
                    // extended to 6 blocks: 2…4 nobody supplies (the middle's length 2 limits the full)
                    + Self.lbdelta("base/5/LBDELTA.101", length: 6, blocks: [(5, DeltaBytes.block(0xE5))], newestForm)
                    + Self.lbdelta("base/5/LBDELTA.103", length: 2, blocks: [(1, DeltaBytes.block(0x41))], newestForm)
                    + Self.lbdelta("base/5/LBDELTA.106", length: 2, blocks: [(1, DeltaBytes.block(0x62))], newestForm)
                    + [
                        ("base/5/INCREMENTAL.107", Array("not this method's form".utf8)),
                        ("base/5/pg_filenode.map", Array("map".utf8)),
                    ]),
            tablespaces: [
                16400: Self.lbdelta(
                    "PG_15_1/5/LBDELTA.200", length: 3, blocks: [(2, DeltaBytes.block(0x72))], newestForm)
            ],
            parent: middle)

        let engine = try engine(history)
        var asked = request("latest", into: "data")
        asked.tablespaceMap = [TablespaceMapOption(key: "16400", directory: scratch + "/ts")]
        let plan = try engine.plan(asked)
        XCTAssertEqual(plan.chain.links.map(\.id), [newest, middle, full])
        XCTAssertEqual(plan.summary.chain?.map(\.type), ["incremental", "incremental", "full"])
        XCTAssertEqual(plan.summary.chain?.map(\.method), ["page-lsn", "page-lsn", nil])
        XCTAssertTrue(plan.steps.contains { $0.hasPrefix("read the chain of 3 backups newest first") }, "\(plan.steps)")
        let result = try engine.run(plan)

        let data = scratch + "/data"
        XCTAssertEqual(try fills(data + "/base/5/100"), [0xC0, 0xB1, 0])
        XCTAssertEqual(try fills(data + "/base/5/101"), [0xD0, 0xD1, 0, 0, 0, 0xE5])
        XCTAssertEqual(try fills(data + "/base/5/103"), [0x30, 0x41])
        XCTAssertEqual(try fills(data + "/base/5/106"), [0x60, 0x62])
        XCTAssertEqual(try read(data + "/base/5/INCREMENTAL.107"), Array("not this method's form".utf8))
        XCTAssertEqual(try read(data + "/base/5/pg_filenode.map"), Array("map".utf8))
        XCTAssertEqual(try fills(scratch + "/ts/PG_15_1/5/200"), [0x70, 0x71, 0x72])
        XCTAssertEqual(String(decoding: try read(data + "/backup_label"), as: UTF8.self), "newest")
        XCTAssertEqual(try read(data + "/global/pg_control"), [UInt8](repeating: 0xC0, count: 8192))
        XCTAssertTrue(FileManager.default.fileExists(atPath: data + "/recovery.signal"))
        let entries = try FileManager.default.contentsOfDirectory(atPath: data + "/base/5").sorted()
        XCTAssertEqual(
            entries, ["100", "101", "103", "106", "INCREMENTAL.107", "pg_filenode.map"],
            "no delta entry is left as a file, and 102 (gone by the newest backup) is not restored")

        XCTAssertEqual(result.chain?.map(\.backup), [newest.rawValue, middle.rawValue, full.rawValue])
        for (link, planned) in zip(result.chain ?? [], plan.summary.chain ?? []) {
            XCTAssertEqual(link.bytesRead, planned.storedBytes, "each object read once, whole: \(link.backup)")
        }
        XCTAssertEqual(result.chain?[1].files, 5, "the middle backup was applied to 100, 101, 103, 106 and 200")
        XCTAssertEqual(result.chain?[2].bytesWritten, 5 * 8192, "the full supplied 101's two, 106's one, 200's two")
    }

    func testOlderObjectsAreNotReadOnceNothingIsMissing() throws {
        let history = try ChainHistory()
        let full = try history.snapshot(ChainHistory.baseFiles(label: "full", extra: [("base/5/1", Self.blocks([1]))]))
        try history.snapshot(
            ChainHistory.baseFiles(
                label: "newest",
                extra: [("base/5/LBDELTA.1", DeltaBytes.lbdelta(length: 1, blocks: [(0, DeltaBytes.block(2))]))]),
            parent: full)
        let engine = try engine(history)
        let result = try engine.run(try engine.plan(request("latest", into: "data")))
        XCTAssertEqual(try fills(scratch + "/data/base/5/1"), [2])
        XCTAssertEqual(result.chain?.last?.bytesRead, 0, "the full had nothing left to give: never downloaded")
        XCTAssertGreaterThan(result.chain?.first?.bytesRead ?? 0, 0)
    }

    func testAnOlderWholeCopyFillsOnlyTheGapsBetweenNewerBlocks() throws {
        let history = try ChainHistory()
        let full = try history.snapshot(
            ChainHistory.baseFiles(label: "full", extra: [("base/5/1", Self.blocks([1, 2, 3, 4, 5, 6]))]))
        let newer = DeltaBytes.lbdelta(length: 5, blocks: [(1, DeltaBytes.block(0x21)), (3, DeltaBytes.block(0x23))])
        try history.snapshot(
            ChainHistory.baseFiles(label: "newest", extra: [("base/5/LBDELTA.1", newer)]), parent: full)
        let engine = try engine(history)
        let result = try engine.run(try engine.plan(request("latest", into: "data")))
        XCTAssertEqual(try fills(scratch + "/data/base/5/1"), [1, 0x21, 3, 0x23, 5], "truncated to 5 blocks")
        XCTAssertEqual(result.chain?.last?.bytesWritten, 3 * 8192)
    }

    /// Long stretches of an older whole copy (over 256 KiB) are written directly and short ones through the page
    /// cache, in the same file, toggled stretch by stretch: every block still lands at its place.
    func testLongAndShortStretchesOfAnOlderCopyLandInOneFile() throws {
        let history = try ChainHistory()
        let original = (0..<100).map { UInt8(1 + $0) }
        let full = try history.snapshot(
            ChainHistory.baseFiles(label: "full", extra: [("base/5/1", Self.blocks(original))]))
        let newer = DeltaBytes.lbdelta(
            length: 100, blocks: [(10, DeltaBytes.block(0xA0)), (60, DeltaBytes.block(0xA1))])
        try history.snapshot(
            ChainHistory.baseFiles(label: "newest", extra: [("base/5/LBDELTA.1", newer)]), parent: full)
        let engine = try engine(history)
        let result = try engine.run(try engine.plan(request("latest", into: "data")))
        var expected = original.map(Int.init)
        expected[10] = 0xA0
        expected[60] = 0xA1
        XCTAssertEqual(try fills(scratch + "/data/base/5/1"), expected)
        XCTAssertEqual(result.chain?.last?.bytesWritten, 98 * 8192)
    }

    /// Region assembly (RegionWriter): a region of 128 blocks with many chosen blocks is written whole — the newest
    /// backup's straight from its buffer (zeros between its blocks), an older one's read back from the file and
    /// merged — and a region with few is written stretch by stretch. Across three backups and three regions of
    /// mixed density, every block lands where the newest says, and blocks nobody supplies stay zeros; sparse parts
    /// of 16 blocks end inside regions, so a region is gathered across parts.
    func testRegionsAssembledFromThreeBackupsPutEveryBlockInPlace() throws {
        try assertRegions(middle: .sparse(perPart: 16), newest: .sparse(perPart: 16))
    }

    /// The newest backup writes a region it supplies much of whole; a sparse entry's region buffer still holds the
    /// previous region's blocks where this region lists none, and those must go out as zeros (nobody older supplies
    /// them here: the full is one region long).
    func testAWholeRegionOfASparseDeltaHasZerosWhereItListsNothing() throws {
        let history = try ChainHistory()
        let full = try history.snapshot(
            ChainHistory.baseFiles(label: "full", extra: [("base/5/1", Self.blocks([UInt8](repeating: 1, count: 128)))])
        )
        let listed = (0..<192).map { ($0, DeltaBytes.block(UInt8(2 + $0 % 100))) }
        try history.snapshot(
            ChainHistory.baseFiles(
                label: "newest",
                extra: Self.lbdelta("base/5/LBDELTA.1", length: 256, blocks: listed, .sparse(perPart: 128))),
            parent: full)
        let engine = try engine(history)
        _ = try engine.run(try engine.plan(request("latest", into: "data")))
        let expected = (0..<256).map { $0 < 192 ? 2 + $0 % 100 : 0 }
        XCTAssertEqual(try fills(scratch + "/data/base/5/1"), expected)
    }

    /// An older backup holding one file whole and the next as a sparse delta: the blocks chosen from the whole copy
    /// must not count for the delta's region (they once did, and the restore stopped on its own precondition).
    func testAWholeCopyThenASparseDeltaInOneOlderBackup() throws {
        let history = try ChainHistory()
        let full = try history.snapshot(
            ChainHistory.baseFiles(
                label: "full",
                extra: [("base/5/1", Self.blocks([1, 2])), ("base/5/2", Self.blocks([5, 6, 7, 8]))]))
        let middle = try history.snapshot(
            ChainHistory.baseFiles(
                label: "middle",
                extra: [("base/5/1", Self.blocks([0x31, 0x32]))]
                    + Self.lbdelta(
                        "base/5/LBDELTA.2", length: 4, blocks: [(3, DeltaBytes.block(0x43))], .sparse(perPart: 128))),
            parent: full)
        try history.snapshot(
            ChainHistory.baseFiles(
                label: "newest",
                extra: Self.lbdelta(
                    "base/5/LBDELTA.1", length: 2, blocks: [(1, DeltaBytes.block(0x51))], .sparse(perPart: 128))
                    + Self.lbdelta(
                        "base/5/LBDELTA.2", length: 4, blocks: [(0, DeltaBytes.block(0x60))], .sparse(perPart: 128))),
            parent: middle)
        let engine = try engine(history)
        _ = try engine.run(try engine.plan(request("latest", into: "data")))
        XCTAssertEqual(try fills(scratch + "/data/base/5/1"), [0x31, 0x51])
        XCTAssertEqual(try fills(scratch + "/data/base/5/2"), [0x60, 6, 7, 0x43])
    }

    func testRegionsAssembledFromDenseDeltasPutEveryBlockInPlace() throws {
        try assertRegions(middle: .dense, newest: .dense)
    }

    private func assertRegions(middle middleForm: Encoding, newest newestForm: Encoding) throws {
        let length = 300  // runs 0…127, 128…255 and 256…299
        let fullLength = 280
        let middleLength = 290
        func newestStores(_ block: Int) -> Bool {
            switch block {
            case 0..<128: return block % 10 < 6  // dense: one direct region, zeros between
            case 128..<256: return block % 16 == 0  // sparse: stretches
            default: return block % 2 == 0
            }
        }
        func middleStores(_ block: Int) -> Bool { block < middleLength && block % 7 == 0 }
        func fullFill(_ block: Int) -> UInt8 { UInt8(1 + block % 100) }
        func middleFill(_ block: Int) -> UInt8 { UInt8(101 + block % 50) }
        func newestFill(_ block: Int) -> UInt8 { UInt8(151 + block % 100) }

        let history = try ChainHistory()
        let full = try history.snapshot(
            ChainHistory.baseFiles(
                label: "full", extra: [("base/5/1", Self.blocks((0..<fullLength).map(fullFill)))]))
        let middleBlocks = (0..<middleLength).filter(middleStores).map { ($0, DeltaBytes.block(middleFill($0))) }
        let middle = try history.snapshot(
            ChainHistory.baseFiles(
                label: "middle",
                extra: Self.lbdelta("base/5/LBDELTA.1", length: middleLength, blocks: middleBlocks, middleForm)),
            parent: full)
        let newestBlocks = (0..<length).filter(newestStores).map { ($0, DeltaBytes.block(newestFill($0))) }
        try history.snapshot(
            ChainHistory.baseFiles(
                label: "newest",
                extra: Self.lbdelta("base/5/LBDELTA.1", length: length, blocks: newestBlocks, newestForm)),
            parent: middle)

        let engine = try engine(history)
        let result = try engine.run(try engine.plan(request("latest", into: "data")))
        let expected = (0..<length).map { block -> Int in
            if newestStores(block) { return Int(newestFill(block)) }
            if middleStores(block) { return Int(middleFill(block)) }
            return block < fullLength ? Int(fullFill(block)) : 0
        }
        XCTAssertEqual(try fills(scratch + "/data/base/5/1"), expected)
        let fromFull = (0..<fullLength).filter { !newestStores($0) && !middleStores($0) }.count
        XCTAssertEqual(result.chain?.last?.bytesWritten, Int64(fromFull * 8192), "only the blocks the full supplied")
    }

    // MARK: wal-summary: PostgreSQL 17's INCREMENTAL files

    func testAWalSummaryChainKeepsLimitsAcrossThreeLinksAndCleansTheLabel() throws {
        let history = try ChainHistory()
        let full = try history.snapshot(
            ChainHistory.baseFiles(
                label: "full", extra: [("base/5/100", Self.blocks([0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5]))]))
        let middle = try history.snapshot(
            ChainHistory.baseFiles(label: "middle", extra: [Self.incremental(100, truncation: 3, fills: [(1, 0x11)])]),
            parent: full, method: .walSummary)
        let label =
            "START WAL LOCATION: 0/9000028\nINCREMENTAL FROM LSN: 0/5000028\nINCREMENTAL FROM TLI: 1\nSTART TIMELINE: 1\n"
        try history.snapshot(
            ChainHistory.baseFiles(
                label: label,
                extra: [
                    Self.incremental(100, truncation: 6, fills: [(4, 0x24)]),
                    Self.incremental(101, truncation: 0, fills: []),
                    ("base/5/LBDELTA.102", Array("an ordinary file here".utf8)),
                ]),
            parent: middle, method: .walSummary)
        let engine = try engine(history)
        _ = try engine.run(try engine.plan(request("latest", into: "data")))
        let data = scratch + "/data"
        // 0 from the full (below the middle's limit 3), 1 from the middle, 2 from the full, 3 and 5 zeros (at or
        // past the middle's truncation: not the full's stale 0xF3/0xF5), 4 from the newest.
        XCTAssertEqual(try fills(data + "/base/5/100"), [0xF0, 0x11, 0xF2, 0, 0x24, 0])
        XCTAssertEqual(try read(data + "/base/5/101"), [])
        XCTAssertEqual(try read(data + "/base/5/LBDELTA.102"), Array("an ordinary file here".utf8))
        XCTAssertEqual(
            String(decoding: try read(data + "/backup_label"), as: UTF8.self),
            "START WAL LOCATION: 0/9000028\nSTART TIMELINE: 1\n")
    }

    func testBlocksPastTheNewestTruncationButStoredAreKept() throws {
        let history = try ChainHistory()
        let full = try history.snapshot(
            ChainHistory.baseFiles(label: "full", extra: [("base/5/100", Self.blocks([0xF0, 0xF1, 0xF2, 0xF3]))]))
        try history.snapshot(
            ChainHistory.baseFiles(label: "newest", extra: [Self.incremental(100, truncation: 2, fills: [(3, 0x33)])]),
            parent: full, method: .walSummary)
        let engine = try engine(history)
        _ = try engine.run(try engine.plan(request("latest", into: "data")))
        XCTAssertEqual(try fills(scratch + "/data/base/5/100"), [0xF0, 0xF1, 0, 0x33], "L = max(T, 3 + 1)")
    }

    // MARK: damage

    func testACorruptDeltaInAnOlderBackupIsAnIntegrityFailureAndLeavesNothing() throws {
        let history = try ChainHistory()
        let full = try history.snapshot(
            ChainHistory.baseFiles(label: "full", extra: [("base/5/1", Self.blocks([1, 2]))]))
        var bad = DeltaBytes.lbdelta(length: 2, blocks: [(0, DeltaBytes.block(3))])
        bad[0] = UInt8(ascii: "X")
        let middle = try history.snapshot(
            ChainHistory.baseFiles(label: "middle", extra: [("base/5/LBDELTA.1", bad)]), parent: full)
        try history.snapshot(
            ChainHistory.baseFiles(
                label: "newest",
                extra: [("base/5/LBDELTA.1", DeltaBytes.lbdelta(length: 2, blocks: [(1, DeltaBytes.block(4))]))]),
            parent: middle)
        try assertIntegrityFailure(history, mentioning: ["bad magic", "base/5/LBDELTA.1", middle.rawValue])
    }

    func testANonZeroBlockTheBitmapDoesNotMarkIsCorrupt() throws {
        let history = try ChainHistory()
        let full = try history.snapshot(ChainHistory.baseFiles(label: "full", extra: [("base/5/1", Self.blocks([1]))]))
        var bad = DeltaBytes.lbdelta(length: 1, blocks: [(0, DeltaBytes.block(3))])
        bad[bad.count - 1] = 0  // the block is there, its bit is not
        try history.snapshot(ChainHistory.baseFiles(label: "newest", extra: [("base/5/LBDELTA.1", bad)]), parent: full)
        try assertIntegrityFailure(history, mentioning: ["block 0 is not marked stored"])
    }

    /// A sparse file's parts must run to the one flagged last, with nothing between them, their numbers rising
    /// across parts and one length in all: anything else is exit 4 naming the entry, and nothing is left.
    func testSparsePartsThatDoNotAddUpAreCorrupt() throws {
        let block = { (number: Int) in (number, DeltaBytes.block(UInt8(number + 1))) }
        let cases: [(Files, String)] = [
            (
                [("base/5/LBDELTA.1", DeltaBytes.lbdeltaPart(length: 4, blocks: [block(0)], last: false))],
                "its parts end without the last one"
            ),
            (
                [
                    ("base/5/LBDELTA.1", DeltaBytes.lbdeltaPart(length: 4, blocks: [block(0)], last: false)),
                    ("base/5/2", Self.blocks([7])),
                ], "its parts end without the last one"
            ),
            (
                [
                    ("base/5/LBDELTA.1", DeltaBytes.lbdeltaPart(length: 4, blocks: [block(1)], last: false)),
                    ("base/5/LBDELTA.1", DeltaBytes.lbdeltaPart(length: 4, blocks: [block(1)], last: true)),
                ], "block 1 follows block 1"
            ),
            (
                [
                    ("base/5/LBDELTA.1", DeltaBytes.lbdeltaPart(length: 4, blocks: [block(0)], last: false)),
                    ("base/5/LBDELTA.1", DeltaBytes.lbdeltaPart(length: 5, blocks: [block(2)], last: true)),
                ], "an earlier part 4"
            ),
            (
                [
                    ("base/5/LBDELTA.1", DeltaBytes.lbdeltaPart(length: 4, blocks: [block(0)], last: false)),
                    ("base/5/LBDELTA.1", DeltaBytes.lbdelta(length: 4, blocks: [block(2)])),
                ], "a dense entry follows a part"
            ),
            (
                [("base/5/LBDELTA.1", DeltaBytes.lbdeltaPart(length: 4, blocks: [block(4)], last: true))],
                "block 4 is past its length 4"
            ),
            (
                [
                    (
                        "base/5/LBDELTA.1",
                        Array(DeltaBytes.lbdeltaPart(length: 4, blocks: [block(0)], last: true).dropLast())
                    )
                ],
                "but its header describes"
            ),
        ]
        for (files, message) in cases {
            try setUpWithError()
            let history = try ChainHistory()
            let full = try history.snapshot(
                ChainHistory.baseFiles(label: "full", extra: [("base/5/1", Self.blocks([1, 2, 3, 4]))]))
            try history.snapshot(ChainHistory.baseFiles(label: "newest", extra: files), parent: full)
            try assertIntegrityFailure(history, mentioning: [message, "base/5/LBDELTA.1"])
        }
    }

    func testADeltaWhoseSizeDisagreesWithItsEntryIsCorrupt() throws {
        let history = try ChainHistory()
        let full = try history.snapshot(ChainHistory.baseFiles(label: "full", extra: [("base/5/1", Self.blocks([1]))]))
        let short = Array(DeltaBytes.incremental(truncation: 1, blocks: [(0, DeltaBytes.block(3))]).dropLast(100))
        try history.snapshot(
            ChainHistory.baseFiles(label: "newest", extra: [("base/5/INCREMENTAL.1", short)]), parent: full,
            method: .walSummary)
        try assertIntegrityFailure(history, mentioning: ["but its header describes"])
    }

    func testAParentSwappedForAnotherValidSnapshotIsRefusedWhenPlanned() throws {
        let history = try ChainHistory()
        let full = try history.snapshot(ChainHistory.baseFiles(label: "full", extra: [("base/5/1", Self.blocks([1]))]))
        let other = try history.snapshot(
            ChainHistory.baseFiles(label: "other", extra: [("base/5/1", Self.blocks([9]))]))
        let newest = try history.snapshot(
            ChainHistory.baseFiles(
                label: "newest", extra: [("base/5/LBDELTA.1", DeltaBytes.lbdelta(length: 1, blocks: []))]),
            parent: full)
        // Another snapshot's manifest, re-sealed as the parent's: it authenticates and names the right id, but it
        // is not the manifest the child recorded.
        var swapped = try history.catalog.manifest(other)
        swapped.id = full
        try history.catalog.commit(swapped)
        let engine = try engine(history)
        XCTAssertThrowsError(try engine.plan(request(newest.rawValue, into: "data"))) { error in
            XCTAssertEqual((error as? LifeboatError)?.exitStatus, .integrity)
            XCTAssertTrue("\(error)".contains("chain is broken"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch + "/data"), "refused before anything is made")

        // The stored bytes of another backup's manifest copied over the parent's: they name the other backup.
        let key = { (id: BackupID) in try ObjectKey(RepositoryLayout.manifest(cluster: "main", id: id)) }
        try history.repository.store.put(try key(full), data: try history.repository.store.get(try key(other)))
        XCTAssertThrowsError(try engine.plan(request(newest.rawValue, into: "data"))) { error in
            XCTAssertEqual((error as? LifeboatError)?.exitStatus, .integrity)
            XCTAssertTrue("\(error)".contains("chain is broken"), "\(error)")
        }
    }

    func assertIntegrityFailure(
        _ history: ChainHistory, mentioning fragments: [String], file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let engine = try engine(history)
        let plan = try engine.plan(request("latest", into: "data"))
        XCTAssertThrowsError(try engine.run(plan), file: file, line: line) { error in
            XCTAssertEqual((error as? LifeboatError)?.exitStatus, .integrity, "\(error)", file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue("\(error)".contains(fragment), "\(error) lacks \(fragment)", file: file, line: line)
            }
        }
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: scratch + "/data"), [],
            "nothing is left that looks restored", file: file, line: line)
    }

    // MARK: - helpers

    /// Each block of the file as its fill byte (-1: not one byte repeated; -2: a last block cut short), so that
    /// a failure shows which block is wrong rather than megabytes.
    func fills(_ path: String) throws -> [Int] {
        let bytes = try read(path)
        return stride(from: 0, to: bytes.count, by: 8192).map { start in
            let block = bytes[start..<min(start + 8192, bytes.count)]
            guard block.count == 8192 else { return -2 }
            return block.allSatisfy { $0 == block.first } ? Int(block.first ?? 0) : -1
        }
    }

    func read(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func engine(_ history: ChainHistory) throws -> PhysicalRestore {
        PhysicalRestore(context: try context(), repository: history.repository, keyring: history.keyring)
    }

    func context() throws -> EngineContext {
        let config = LifeboatConfig(
            cluster: "main", postgres: PostgresSettings(url: "postgresql://postgres@127.0.0.1:1/postgres"),
            repository: RepositorySettings(location: .file(path: scratch + "/repository")),
            encryption: .keyFile(path: scratch + "/repo.key"), sourcePath: try configFile())
        return EngineContext(
            config: config, logger: Logger(label: "test"), progress: ProgressReporter(enabled: false),
            environment: [:])
    }

    func configFile() throws -> String {
        let path = scratch + "/lifeboat.yml"
        if !FileManager.default.fileExists(atPath: path) {
            try "cluster: main\n".write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        }
        return path
    }

    func request(_ reference: String, into directory: String) -> PhysicalRestoreRequest {
        PhysicalRestoreRequest(
            reference: reference, dataDirectory: scratch + "/" + directory, toTime: nil, toLSN: nil,
            targetAction: "promote", clean: false, start: false, port: nil,
            configPath: (try? configFile()) ?? "", binaryPath: "/bin/sh")
    }
}
