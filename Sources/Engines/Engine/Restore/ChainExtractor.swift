// ChainExtractor: applies one tar (the data directory's or a tablespace's) of one backup of an incremental chain
// to a directory, in place (docs/format.md §6.5). The chain is applied newest backup first:
// - the newest backup defines every directory and file: whole files are written as they are, and a delta entry
//   (`INCREMENTAL.<name>` / `LBDELTA.<name>`, by the backup's method) creates `<name>` sized to its length with
//   ftruncate (blocks nobody supplies stay zeros, as holes) and writes the blocks it stores;
// - an older backup only fills blocks of files still tracked in the ChainFileTable: a block is written when no
//   newer backup wrote it and it lies below every newer delta's limit. Everything else in it is skipped.
// Blocks are written a region (up to 128 blocks) at a time, one direct write per region where a backup supplies
// much of it (writeRun): long direct writes instead of short scattered ones through the page cache.
// The extraction's safety rules are the Extractor's: names checked (a delta's target name too), every directory
// and file reached through descriptors without following links, new files created exclusively, existing ones
// opened without following a link and only if regular. Everything a backup applies passed through the sealed
// reader, which releases a chunk only after its tag verified.
import ArchiveIO
import Diagnostics
import Reconstruction
import Storage
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

final class ChainExtractor {
    let root: DirectoryHandle
    /// The root's name in the file table ("base", "tblspc-<oid>").
    let rootName: String
    let newest: Bool
    /// The delta form of this backup's entries; nil for the full snapshot, whose entries are all ordinary files.
    let form: DeltaForm?
    let progress: ProgressReporter
    /// Newest backup of the data directory: `global/pg_control` is kept here instead of written, so the directory
    /// cannot start before every backup is applied; `backup_label` loses its INCREMENTAL lines.
    let holdsControlFile: Bool
    private let copier: EntryCopier
    private(set) var heldControlFile: (bytes: [UInt8], mode: mode_t)?
    private(set) var files = 0
    private(set) var bytes: Int64 = 0
    private var recent: (names: ArraySlice<String>, handle: DirectoryHandle)?
    /// A tablespace's archive: relation files sit in `PG_<major>_<catversion>/<dboid>/`.
    private var inTablespace: Bool { rootName != "base" }
    private var block = [UInt8](repeating: 0, count: BlockGeometry.blockSize)
    /// Consecutive blocks of an entry (an older backup's whole copy, a page-lsn delta), applied together.
    /// Aligned for direct writes (writeRun).
    private let run = UnsafeMutableRawBufferPointer.allocate(
        byteCount: ChainExtractor.runBlocks * BlockGeometry.blockSize, alignment: FileDescriptor.directAlignment)
    /// A run's region of the file, read back and merged with the run's blocks (writeRun); aligned like `run`.
    private let scratch = UnsafeMutableRawBufferPointer.allocate(
        byteCount: ChainExtractor.runBlocks * BlockGeometry.blockSize, alignment: FileDescriptor.directAlignment)
    static let runBlocks = 128
    /// A run whose chosen blocks add up to at least this many bytes has its region written directly, once (when the
    /// restore may; writeRun); so has a stretch of consecutive blocks this long. A direct write waits for the
    /// device, so a few blocks scattered between newer backups' blocks stay in the page cache, while long runs
    /// skip the copy into it (EntryCopier says why that copy matters).
    static let directStretch = 256 << 10

    static let controlFile = ["global", "pg_control"]
    /// pg_control and backup_label are a few KiB; anything far larger is not what it claims to be.
    static let smallFileLimit: Int64 = 1 << 20

    init(
        root: DirectoryHandle, rootName: String, newest: Bool, form: DeltaForm?, progress: ProgressReporter,
        holdsControlFile: Bool = false, directIO: Bool = true
    ) {
        copier = EntryCopier(direct: directIO)
        self.root = root
        self.rootName = rootName
        self.newest = newest
        self.form = form
        self.progress = progress
        self.holdsControlFile = holdsControlFile
    }

    deinit {
        run.deallocate()
        scratch.deallocate()
    }

    func apply(_ tar: TarReader, table: inout ChainFileTable) throws {
        defer { recent = nil }  // no descriptor outlives the extraction
        while let entry = try tar.nextEntry() {
            let names = entry.name.split(separator: "/").map(String.init).filter { $0 != "." }
            guard !names.contains("..") else { throw ArchiveError.unsafeEntryName(entry.name) }
            guard !names.isEmpty else { continue }
            do {
                if newest {
                    try applyNewest(entry, names: names, tar: tar, table: &table)
                } else {
                    try applyOlder(entry, names: names, tar: tar, table: &table)
                }
            } catch let error as DeltaEntryError {
                throw error.located("entry \(ArchiveError.quoted(entry.name))")
            }
        }
    }

    // MARK: the newest backup

    private func applyNewest(
        _ entry: TarEntry, names: [String], tar: TarReader, table: inout ChainFileTable
    ) throws {
        let parent = try directory(names.dropLast(), create: true)
        let name = names[names.count - 1]
        if entry.isDirectory {
            // 0700 whatever the tar says: PostgreSQL wants its directories private to its user.
            recent = (names[...], try parent.makeSubdirectory(name, mode: 0o700))
            return
        }
        if let form, let target = RelationPath.deltaTarget(names, form: form, inTablespace: inTablespace) {
            let file = try create(target, in: parent, path: names.dropLast() + [target])
            let key = ChainFileTable.Key(root: rootName, path: (names.dropLast() + [target]).joined(separator: "/"))
            try table.claim(key)
            let result = try applyDelta(form, entry: entry, tar: tar, file: file, key: key, table: table)
            file.startWriteback()
            var map = BlockMap(length: result.length, limit: result.truncation)
            for block in result.written.elements { map.markWritten(block) }
            table.track(key, map: map)
            try file.setMode(mode_t(entry.mode) & 0o600)
            files += 1
            return
        }
        if holdsControlFile, names == Self.controlFile {
            heldControlFile = (try readSmall(entry, tar: tar), mode_t(entry.mode) & 0o600)
            files += 1
            return
        }
        let file = try create(name, in: parent, path: names[...])
        if holdsControlFile, names == ["backup_label"] {
            let label = BackupLabelText.removingIncrementalLines(try readSmall(entry, tar: tar))
            try file.write(label)
            bytes += Int64(label.count)
        } else {
            try copy(entry, tar: tar, into: file)
        }
        file.startWriteback()
        try file.setMode(mode_t(entry.mode) & 0o600)
        files += 1
    }

    /// A new file; a name the backup already wrote (two entries for one file) is corrupt.
    private func create(_ name: String, in parent: DirectoryHandle, path: ArraySlice<String>) throws -> WritableFile {
        do {
            return try parent.createFile(name, mode: 0o600)
        } catch DirectoryError.io(_, _, let code) where code == EEXIST {
            throw DeltaEntryError("'\(path.joined(separator: "/"))' appears twice in the backup")
        }
    }

    /// Copies the entry's bytes into its new file (EntryCopier: a large file bypasses the page cache).
    private func copy(_ entry: TarEntry, tar: TarReader, into file: WritableFile) throws {
        bytes += try copier.copy(
            size: entry.size, into: file, read: { try tar.read(into: $0) }, advance: { progress.advance(by: $0) })
    }

    private func readSmall(_ entry: TarEntry, tar: TarReader) throws -> [UInt8] {
        guard entry.size <= Self.smallFileLimit else {
            throw ArchiveError.corrupt("entry \(ArchiveError.quoted(entry.name)) is \(entry.size) bytes, far too large")
        }
        return try readExactly(Int(entry.size), from: tar)
    }

    // MARK: older backups

    private func applyOlder(
        _ entry: TarEntry, names: [String], tar: TarReader, table: inout ChainFileTable
    ) throws {
        guard !entry.isDirectory else { return }
        let target = form.flatMap { RelationPath.deltaTarget(names, form: $0, inTablespace: inTablespace) }
        let path = names.dropLast() + [target ?? names[names.count - 1]]
        let key = ChainFileTable.Key(root: rootName, path: path.joined(separator: "/"))
        guard table.isTracked(key) else { return }  // complete, or not in the newest backup: not restored
        try table.claim(key)
        let file = try directory(names.dropLast(), create: false).openFile(path[path.count - 1])
        if let form, target != nil {
            let result = try applyDelta(form, entry: entry, tar: tar, file: file, key: key, table: table)
            for block in result.written.elements { table.markWritten(key, block: block) }
            table.finishDelta(key, truncation: result.truncation)
        } else {
            try applyWhole(entry, tar: tar, file: file, key: key, table: &table)
            table.finishWhole(key)
        }
        file.startWriteback()
        files += 1
        try Failpoint.hit("restore.chain.file.after")
    }

    /// An older backup's whole copy: each whole block of it that is still needed (writeRuns).
    private func applyWhole(
        _ entry: TarEntry, tar: TarReader, file: WritableFile, key: ChainFileTable.Key, table: inout ChainFileTable
    ) throws {
        let blocks = Int(entry.size / Int64(BlockGeometry.blockSize))
        try writeRuns(blocks: blocks, from: tar, to: file, fileBlocks: table.length(key) ?? 0) { index, _ in
            guard table.needs(key, block: index) else { return false }
            table.markWritten(key, block: index)
            return true
        }
    }

    /// Reads `blocks` blocks from `tar` in runs of up to `runBlocks` (1 MiB) and writes the blocks of each run that
    /// `applies(block, indexInRun)` accepts (asked once per block, in order) at their own offsets (writeRun).
    /// Read in runs because an entry supplies most blocks of a file and one system call per 8 KiB block would
    /// dominate the restore. `fileBlocks` is the restored file's length in blocks: nothing is written past it.
    private func writeRuns(
        blocks: Int, from tar: TarReader, to file: WritableFile, fileBlocks: Int, where applies: (Int, Int) -> Bool
    ) throws {
        let size = BlockGeometry.blockSize
        var chosen = [Bool](repeating: false, count: Self.runBlocks)
        var first = 0
        while first < blocks {
            let count = min(Self.runBlocks, blocks - first)
            try fill(UnsafeMutableRawBufferPointer(rebasing: run[0..<(count * size)]), from: tar)
            var chosenCount = 0
            for index in 0..<count {
                chosen[index] = applies(first + index, index)
                if chosen[index] { chosenCount += 1 }
            }
            if chosenCount > 0 {
                let region = RunRegion(first: first, count: min(count, fileBlocks - first), chosen: chosen)
                try writeRun(region, chosenCount: chosenCount, to: file)
                bytes += Int64(chosenCount * size)
            }
            first += count
        }
    }

    /// The blocks of one run that lie in the restored file, and which of them this backup supplies.
    struct RunRegion {
        let first: Int
        /// Blocks from `first` that are inside the file.
        let count: Int
        /// By index in the run; only the first `count` are looked at.
        let chosen: [Bool]

        var offset: Int64 { Int64(first) * Int64(BlockGeometry.blockSize) }
        var byteCount: Int { count * BlockGeometry.blockSize }
        var isWhole: Bool { count > 0 && chosen[0..<count].allSatisfy { $0 } }

        /// Every chosen block is inside the file (a chosen block past it would be a bug, never written).
        func fits(chosenCount: Int) -> Bool {
            count >= 0 && chosen[0..<count].reduce(0) { $0 + ($1 ? 1 : 0) } == chosenCount
        }

        /// The chosen blocks as maximal stretches of consecutive indexes in the run, in order.
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

    /// One run's chosen blocks, in as few and as long writes as the file allows (docs/format.md §6.5). When the
    /// chosen blocks add up to a long write (directStretch) and the restore may write directly, the run's whole
    /// region of the file is written once, directly: for the newest backup straight from the run (its other blocks
    /// are zeros, as the new file is there), for an older one after reading the region back and putting the chosen
    /// blocks into it (read–modify–write: the blocks newer backups wrote are kept as they are). Through the page
    /// cache, writing a third of a file's blocks in short scattered stretches costs more on this kind of machine
    /// than reading and writing all of it directly. Otherwise each stretch of consecutive chosen blocks is one
    /// pwrite, as before.
    private func writeRun(_ region: RunRegion, chosenCount: Int, to file: WritableFile) throws {
        precondition(region.fits(chosenCount: chosenCount), "a chain restore would write past the file's end")
        let size = BlockGeometry.blockSize
        if copier.direct, chosenCount * size >= Self.directStretch, file.isDirect || file.useDirectIO() {
            if newest || region.isWhole {
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

    /// Reads the region back from the file into `scratch` and copies the run's chosen blocks over it. False when
    /// the file is shorter than the region (the newest backup sized it, so it is not): nothing is merged then.
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
            if copier.direct, bytes.count >= Self.directStretch {
                if !file.isDirect { _ = file.useDirectIO() }
            } else if file.isDirect {
                file.stopDirectIO()
            }
            try file.writeAligned(bytes, at: region.offset + Int64(stretch.lowerBound * size))
        }
    }

    // MARK: delta entries

    /// What one delta entry did: the file's length and the entry's limit, and the blocks now in place because of
    /// it (for an older backup only those the table needed). The caller records them in the table.
    struct DeltaResult {
        let length: Int
        let truncation: Int
        let written: BlockBitmap
    }

    /// Reads a delta entry and writes its blocks: all of them for the newest backup (which first sizes the file),
    /// those `table` needs for an older one.
    private func applyDelta(
        _ form: DeltaForm, entry: TarEntry, tar: TarReader, file: WritableFile, key: ChainFileTable.Key,
        table: ChainFileTable
    ) throws -> DeltaResult {
        switch form {
        case .incremental: return try applyIncremental(entry, tar: tar, file: file, key: key, table: table)
        case .lbdelta: return try applyLBDelta(entry, tar: tar, file: file, key: key, table: table)
        }
    }

    private func applyIncremental(
        _ entry: TarEntry, tar: TarReader, file: WritableFile, key: ChainFileTable.Key, table: ChainFileTable
    ) throws -> DeltaResult {
        let header = try IncrementalFileHeader(fixed: try readExactly(IncrementalFileHeader.fixedSize, from: tar))
        try header.check(entrySize: entry.size)
        let numbers = try header.blockNumbers(try readExactly(header.blockNumbersSize, from: tar))
        try header.checkPadding(try readExactly(header.paddingSize, from: tar))
        let length = header.length(blocks: numbers)
        if newest { try file.truncate(to: Int64(length) * Int64(BlockGeometry.blockSize)) }
        var written = BlockBitmap(count: length)
        for number in numbers {
            try readBlock(tar)
            guard newest || table.needs(key, block: number) else { continue }
            try write(block: number, to: file)
            written.insert(number)
        }
        return DeltaResult(length: length, truncation: header.truncationBlockLength, written: written)
    }

    /// The bitmap of stored blocks follows the blocks, so a block is written as it streams past when it is not
    /// zeros (an unstored block is zeros); which zero blocks are stored — and so must not be taken from an older
    /// backup — is known at the end. A non-zero block the bitmap does not mark is corrupt.
    /// An entry is as long as its file, mostly zeros for a small change: it is read in runs of up to 128 blocks,
    /// each block's zero test is a memcmp, and each stretch of blocks to write is one pwrite (as in applyWhole).
    private func applyLBDelta(
        _ entry: TarEntry, tar: TarReader, file: WritableFile, key: ChainFileTable.Key, table: ChainFileTable
    ) throws -> DeltaResult {
        let header = try LBDeltaHeader(try readExactly(LBDeltaHeader.size, from: tar))
        try header.check(entrySize: entry.size)
        if newest { try file.truncate(to: Int64(header.length) * Int64(BlockGeometry.blockSize)) }
        var nonZero = BlockBitmap(count: header.length)
        // A block is applied when it is not zeros and (older backups) still needed.
        let fileBlocks = newest ? header.length : table.length(key) ?? 0
        try writeRuns(blocks: header.length, from: tar, to: file, fileBlocks: fileBlocks) { index, indexInRun in
            guard !runBlockIsZero(indexInRun) else { return false }
            nonZero.insert(index)
            return newest || table.needs(key, block: index)
        }
        let stored = try header.storedBlocks(try readExactly(header.bitmapSize, from: tar))
        var written = BlockBitmap(count: header.length)
        for index in 0..<header.length where stored[index] || nonZero[index] {
            guard stored[index] else { throw DeltaEntryError("block \(index) is not marked stored but is not zeros") }
            // A stored zero block is in place already: the file reads as zeros wherever no backup wrote.
            if newest || table.needs(key, block: index) { written.insert(index) }
        }
        return DeltaResult(length: header.length, truncation: header.length, written: written)
    }

    /// Whether block `index` of `run` is all zeros: memcmp against a zero block, which glibc vectorizes.
    private func runBlockIsZero(_ index: Int) -> Bool {
        let size = BlockGeometry.blockSize
        return Self.zeroBlock.withUnsafeBytes { zeros in
            memcmp(run.baseAddress! + index * size, zeros.baseAddress!, size) == 0
        }
    }

    private static let zeroBlock = [UInt8](repeating: 0, count: BlockGeometry.blockSize)

    private func write(block index: Int, to file: WritableFile) throws {
        let offset = Int64(index) * Int64(BlockGeometry.blockSize)
        try block.withUnsafeBytes { try file.write($0, at: offset) }
        bytes += Int64(block.count)
    }

    // MARK: reading

    private func readBlock(_ tar: TarReader) throws {
        try block.withUnsafeMutableBytes { try fill($0, from: tar) }
    }

    private func readExactly(_ count: Int, from tar: TarReader) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes { try fill($0, from: tar) }
        return bytes
    }

    private func fill(_ buffer: UnsafeMutableRawBufferPointer, from tar: TarReader) throws {
        var filled = 0
        while filled < buffer.count {
            let count = try tar.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            guard count > 0 else { throw DeltaEntryError("it ends before the data its header describes") }
            filled += count
            progress.advance(by: count)
        }
    }

    // MARK: directories

    /// The directory `names` under root: made (0700) where missing for the newest backup; an older backup only
    /// writes into directories the newest made.
    private func directory(_ names: ArraySlice<String>, create: Bool) throws -> DirectoryHandle {
        if let recent, recent.names.elementsEqual(names) { return recent.handle }
        var handle = root
        for name in names {
            handle = create ? try handle.makeSubdirectory(name, mode: 0o700) : try handle.subdirectory(name)
        }
        recent = (names, handle)
        return handle
    }
}
