// RegionWriter: how one backup's blocks of an incremental chain reach a restored file (docs/format.md §6.5).
// ChainExtractor decides which blocks a backup supplies; this writes them a region (128 blocks, 1 MiB, starting at
// a multiple of 128) at a time. When a backup supplies much of a region, the region is written whole with one
// direct write — the newest backup's straight from the buffer, an older backup's after reading the region back and
// copying its blocks over it — otherwise one write per stretch of consecutive blocks. Blocks arrive either a region
// at a time (a whole copy or a dense delta: writeRuns) or one by one in increasing order (a sparse or INCREMENTAL
// delta: gather, then flush), read straight into their places in the region's buffer.
import Reconstruction
import Storage
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

final class RegionWriter {
    static let runBlocks = 128
    /// A region whose chosen blocks add up to at least this many bytes is written directly, once (when the restore
    /// may; writeRun); so is a stretch of consecutive blocks this long. A direct write waits for the device, so a
    /// few blocks scattered between newer backups' blocks stay in the page cache, while long runs skip the copy into
    /// it (EntryCopier says why that copy matters).
    static let directStretch = 256 << 10

    /// The newest backup of the chain creates every file: blocks it does not supply read as zeros there.
    let newest: Bool
    /// `restore.direct_io`.
    let direct: Bool
    /// Bytes of blocks written.
    private(set) var bytes: Int64 = 0
    /// One region's blocks, aligned for direct writes.
    private let run = UnsafeMutableRawBufferPointer.allocate(
        byteCount: RegionWriter.runBlocks * BlockGeometry.blockSize, alignment: FileDescriptor.directAlignment)
    /// A region of the file, read back and merged with the run's blocks (mergeRegion); aligned like `run`.
    private let scratch = UnsafeMutableRawBufferPointer.allocate(
        byteCount: RegionWriter.runBlocks * BlockGeometry.blockSize, alignment: FileDescriptor.directAlignment)
    private var chosen = [Bool](repeating: false, count: RegionWriter.runBlocks)
    /// The region blocks are being gathered into (gather), and how many of them the backup supplies.
    private var gathering: (region: Int, chosenCount: Int)?
    private static let zeroBlock = [UInt8](repeating: 0, count: BlockGeometry.blockSize)

    init(newest: Bool, direct: Bool) {
        self.newest = newest
        self.direct = direct
    }

    deinit {
        run.deallocate()
        scratch.deallocate()
    }

    // MARK: a region at a time

    /// Reads `blocks` blocks with `fill` a region at a time and writes the blocks of each that `applies(block,
    /// indexInRun)` accepts (asked once per block, in order) at their own offsets (writeRun). Read in regions because
    /// an entry supplies most blocks of a file and one system call per 8 KiB block would dominate the restore.
    /// `fileBlocks` is the restored file's length in blocks: nothing is written past it. The blocks `applies`
    /// rejects must be zeros where the newest backup writes whole regions (a dense delta's unstored blocks are).
    func writeRuns(
        blocks: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void, to file: WritableFile, fileBlocks: Int,
        where applies: (Int, Int) -> Bool
    ) throws {
        let size = BlockGeometry.blockSize
        var first = 0
        while first < blocks {
            let count = min(Self.runBlocks, blocks - first)
            try fill(UnsafeMutableRawBufferPointer(rebasing: run[0..<(count * size)]))
            var chosenCount = 0
            for index in 0..<count {
                chosen[index] = applies(first + index, index)
                if chosen[index] { chosenCount += 1 }
            }
            defer { clearChosen() }  // gather starts from a clear region
            if chosenCount > 0 {
                let region = RunRegion(first: first, count: min(count, fileBlocks - first), chosen: chosen)
                try writeRun(region, chosenCount: chosenCount, to: file, unchosenAreZeros: true)
            }
            first += count
        }
    }

    private func clearChosen() {
        for index in chosen.indices { chosen[index] = false }
    }

    /// Whether block `index` of the region just read is all zeros: memcmp against a zero block, which glibc
    /// vectorizes.
    func runBlockIsZero(_ index: Int) -> Bool {
        let size = BlockGeometry.blockSize
        return Self.zeroBlock.withUnsafeBytes { zeros in
            memcmp(run.baseAddress! + index * size, zeros.baseAddress!, size) == 0
        }
    }

    // MARK: one block at a time

    /// Reads block `number` with `fill` into its place in the region's buffer; `supplied` says whether this backup
    /// writes it. Numbers must increase from one call to the next until `flush`: a block of a later region first
    /// writes the region gathered so far.
    func gather(
        block number: Int, supplied: Bool, fill: (UnsafeMutableRawBufferPointer) throws -> Void, to file: WritableFile,
        fileBlocks: Int
    ) throws {
        let region = number / Self.runBlocks
        if let gathering, gathering.region != region { try flush(to: file, fileBlocks: fileBlocks) }
        let slot = number % Self.runBlocks
        let size = BlockGeometry.blockSize
        try fill(UnsafeMutableRawBufferPointer(rebasing: run[(slot * size)..<((slot + 1) * size)]))
        var state = gathering ?? (region, 0)
        if supplied {
            chosen[slot] = true
            state.chosenCount += 1
        }
        gathering = state
    }

    /// Writes the region gathered so far, if any: every gathered block of a file is in place after it.
    func flush(to file: WritableFile, fileBlocks: Int) throws {
        guard let gathering else { return }
        defer {
            clearChosen()
            self.gathering = nil
        }
        guard gathering.chosenCount > 0 else { return }
        let first = gathering.region * Self.runBlocks
        let region = RunRegion(first: first, count: min(Self.runBlocks, fileBlocks - first), chosen: chosen)
        try writeRun(region, chosenCount: gathering.chosenCount, to: file, unchosenAreZeros: false)
    }

    // MARK: writing a region

    /// The blocks of one region that lie in the restored file, and which of them this backup supplies.
    struct RunRegion {
        let first: Int
        /// Blocks from `first` that are inside the file.
        let count: Int
        /// By index in the region; only the first `count` are looked at.
        let chosen: [Bool]

        var offset: Int64 { Int64(first) * Int64(BlockGeometry.blockSize) }
        var byteCount: Int { count * BlockGeometry.blockSize }
        var isWhole: Bool { count > 0 && chosen[0..<count].allSatisfy { $0 } }

        /// Every chosen block is inside the file (a chosen block past it would be a bug, never written).
        func fits(chosenCount: Int) -> Bool {
            count >= 0 && chosen[0..<count].reduce(0) { $0 + ($1 ? 1 : 0) } == chosenCount
        }

        /// The chosen blocks as maximal stretches of consecutive indexes in the region, in order.
        var stretches: [Range<Int>] {
            var result: [Range<Int>] = []
            var index = 0
            while index < count {
                guard chosen[index] else {
                    index += 1
                    continue
                }
                var end = index + 1
                while end < count, chosen[end] { end += 1 }
                result.append(index..<end)
                index = end
            }
            return result
        }
    }

    /// One region's chosen blocks, in as few and as long writes as the file allows (docs/format.md §6.5). When the
    /// chosen blocks add up to a long write (directStretch) and the restore may write directly, the region of the
    /// file is written once, directly: for the newest backup straight from the buffer (its other blocks are zeros,
    /// as the new file is there; set to zeros first unless `unchosenAreZeros`), for an older one after reading the
    /// region back and putting the chosen blocks into it (read–modify–write: the blocks newer backups wrote are kept
    /// as they are). Through the page cache, writing a third of a file's blocks in short scattered stretches costs
    /// more on this kind of machine than reading and writing all of it directly. Otherwise each stretch of
    /// consecutive chosen blocks is one pwrite.
    private func writeRun(
        _ region: RunRegion, chosenCount: Int, to file: WritableFile, unchosenAreZeros: Bool
    ) throws {
        precondition(region.fits(chosenCount: chosenCount), "a chain restore would write past the file's end")
        let size = BlockGeometry.blockSize
        bytes += Int64(chosenCount * size)
        if direct, chosenCount * size >= Self.directStretch, file.isDirect || file.useDirectIO() {
            if newest || region.isWhole {
                if !unchosenAreZeros { zeroUnchosen(region) }
                try file.writeAligned(UnsafeRawBufferPointer(rebasing: run[0..<region.byteCount]), at: region.offset)
                return
            }
            if try mergeRegion(region, from: file) {
                try file.writeAligned(
                    UnsafeRawBufferPointer(rebasing: scratch[0..<region.byteCount]), at: region.offset)
                return
            }
        }
        try writeStretches(region, to: file)
    }

    /// Sets the blocks of the region that are not chosen to zeros: what the newest backup's new file holds there.
    private func zeroUnchosen(_ region: RunRegion) {
        let size = BlockGeometry.blockSize
        for index in 0..<region.count where !region.chosen[index] {
            (run.baseAddress! + index * size).initializeMemory(as: UInt8.self, repeating: 0, count: size)
        }
    }

    /// Reads the region back from the file into `scratch` and copies the chosen blocks over it. False when the file
    /// is shorter than the region (the newest backup sized it, so it is not): nothing is merged then.
    private func mergeRegion(_ region: RunRegion, from file: WritableFile) throws -> Bool {
        let size = BlockGeometry.blockSize
        let target = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<region.byteCount])
        guard try file.readAligned(into: target, at: region.offset) == region.byteCount else { return false }
        for stretch in region.stretches {
            (scratch.baseAddress! + stretch.lowerBound * size).copyMemory(
                from: run.baseAddress! + stretch.lowerBound * size, byteCount: stretch.count * size)
        }
        return true
    }

    /// Each stretch of consecutive chosen blocks with one pwrite at the blocks' own offset: directly when long
    /// enough and the restore may (a file system that refuses is asked again at the next long stretch, and
    /// written through the page cache meanwhile), else through the page cache. Offsets and lengths are whole
    /// blocks and `run` is aligned, as direct writes need.
    private func writeStretches(_ region: RunRegion, to file: WritableFile) throws {
        let size = BlockGeometry.blockSize
        for stretch in region.stretches {
            let bytes = UnsafeRawBufferPointer(rebasing: run[(stretch.lowerBound * size)..<(stretch.upperBound * size)])
            if direct, bytes.count >= Self.directStretch {
                if !file.isDirect { _ = file.useDirectIO() }
            } else if file.isDirect {
                file.stopDirectIO()
            }
            try file.writeAligned(bytes, at: region.offset + Int64(stretch.lowerBound * size))
        }
    }
}
