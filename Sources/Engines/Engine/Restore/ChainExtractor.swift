// ChainExtractor: applies one tar (the data directory's or a tablespace's) of one backup of an incremental chain
// to a directory, in place (docs/format.md §6.5). The chain is applied newest backup first:
// - the newest backup defines every directory and file: whole files are written as they are, and a delta entry
//   (`INCREMENTAL.<name>` / `LBDELTA.<name>`, by the backup's method) creates `<name>` sized to its length with
//   ftruncate (blocks nobody supplies stay zeros, as holes) and writes the blocks it stores;
// - an older backup only fills blocks of files still tracked in the ChainFileTable: a block is written when no
//   newer backup wrote it and it lies below every newer delta's limit. Everything else in it is skipped.
// Blocks are written a region (up to 128 blocks) at a time, one direct write per region where a backup supplies
// much of it (RegionWriter): long direct writes instead of short scattered ones through the page cache. A sparse
// `LBDELTA` file comes in parts, consecutive entries of one name: the file stays open from its first part to its last.
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
    private let regions: RegionWriter
    private(set) var heldControlFile: (bytes: [UInt8], mode: mode_t)?
    private(set) var files = 0
    /// Bytes written: whole files, and blocks.
    var bytes: Int64 { copiedBytes + regions.bytes }
    private var copiedBytes: Int64 = 0
    private var recent: (names: ArraySlice<String>, handle: DirectoryHandle)?
    /// A tablespace's archive: relation files sit in `PG_<major>_<catversion>/<dboid>/`.
    private var inTablespace: Bool { rootName != "base" }
    private var block = [UInt8](repeating: 0, count: BlockGeometry.blockSize)
    /// The sparse `LBDELTA` file whose parts are being read: the next entry must be its next part.
    private var open: OpenFile?

    private struct OpenFile {
        let entryName: String
        let file: WritableFile
        let length: Int
        /// The last block number its parts listed so far; -1 before the first.
        var lastBlock = -1
        /// The blocks in place because of its parts (for an older backup, those the table needed).
        var written: BlockBitmap
    }

    static let controlFile = ["global", "pg_control"]
    /// pg_control and backup_label are a few KiB; anything far larger is not what it claims to be.
    static let smallFileLimit: Int64 = 1 << 20

    init(
        root: DirectoryHandle, rootName: String, newest: Bool, form: DeltaForm?, progress: ProgressReporter,
        holdsControlFile: Bool = false, directIO: Bool = true
    ) {
        copier = EntryCopier(direct: directIO)
        regions = RegionWriter(newest: newest, direct: directIO)
        self.root = root
        self.rootName = rootName
        self.newest = newest
        self.form = form
        self.progress = progress
        self.holdsControlFile = holdsControlFile
    }

    func apply(_ tar: TarReader, table: inout ChainFileTable) throws {
        defer {  // no descriptor outlives the extraction
            recent = nil
            open = nil
        }
        while let entry = try tar.nextEntry() {
            try checkNextPart(entry.name)
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
        try checkNextPart(nil)
    }

    /// A sparse file's parts follow each other: while one is open, the next entry (nil: the tar's end) must be its
    /// next part.
    private func checkNextPart(_ name: String?) throws {
        guard let open, name != open.entryName else { return }
        throw DeltaEntryError("its parts end without the last one").located(
            "entry \(ArchiveError.quoted(open.entryName))")
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
            let key = ChainFileTable.Key(root: rootName, path: (names.dropLast() + [target]).joined(separator: "/"))
            let file: WritableFile
            if let open {  // the next part of the file (checkNextPart)
                file = open.file
            } else {
                file = try create(target, in: parent, path: names.dropLast() + [target])
                try table.claim(key)
            }
            guard let result = try applyDelta(form, entry: entry, tar: tar, file: file, key: key, table: table)
            else { return }  // more parts follow
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
            copiedBytes += Int64(label.count)
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
        copiedBytes += try copier.copy(
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
        let file: WritableFile
        if let open {  // the next part of the file (checkNextPart)
            file = open.file
        } else {
            try table.claim(key)
            file = try directory(names.dropLast(), create: false).openFile(path[path.count - 1])
        }
        if let form, target != nil {
            guard let result = try applyDelta(form, entry: entry, tar: tar, file: file, key: key, table: table)
            else { return }  // more parts follow
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
        try regions.writeRuns(blocks: blocks, fill: fill(from: tar), to: file, fileBlocks: table.length(key) ?? 0) {
            index, _ in
            guard table.needs(key, block: index) else { return false }
            table.markWritten(key, block: index)
            return true
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
    /// those `table` needs for an older one. Nil after a sparse file's part that is not its last.
    private func applyDelta(
        _ form: DeltaForm, entry: TarEntry, tar: TarReader, file: WritableFile, key: ChainFileTable.Key,
        table: ChainFileTable
    ) throws -> DeltaResult? {
        switch form {
        case .incremental: return try applyIncremental(entry, tar: tar, file: file, key: key, table: table)
        case .lbdelta:
            let magic = try readExactly(8, from: tar)
            switch magic {
            case LBDeltaPartHeader.magic:
                return try applyPart(magic, entry: entry, tar: tar, file: file, key: key, table: table)
            case LBDeltaHeader.magic where open == nil:
                return try applyDense(magic, entry: entry, tar: tar, file: file, key: key, table: table)
            case LBDeltaHeader.magic: throw DeltaEntryError("a dense entry follows a part of the same file")
            default: throw DeltaEntryError("bad magic (expected 'LBDELTA2' or 'LBDELTA1')")
            }
        }
    }

    /// The blocks of a region are gathered into one buffer and written together (RegionWriter) when the numbers
    /// increase, as PostgreSQL writes them; otherwise each block is one write where it belongs.
    private func applyIncremental(
        _ entry: TarEntry, tar: TarReader, file: WritableFile, key: ChainFileTable.Key, table: ChainFileTable
    ) throws -> DeltaResult {
        let header = try IncrementalFileHeader(fixed: try readExactly(IncrementalFileHeader.fixedSize, from: tar))
        try header.check(entrySize: entry.size)
        let numbers = try header.blockNumbers(try readExactly(header.blockNumbersSize, from: tar))
        try header.checkPadding(try readExactly(header.paddingSize, from: tar))
        let length = header.length(blocks: numbers)
        if newest { try file.truncate(to: Int64(length) * Int64(BlockGeometry.blockSize)) }
        let fileBlocks = newest ? length : table.length(key) ?? 0
        let increasing = zip(numbers, numbers.dropFirst()).allSatisfy { $0 < $1 }
        var written = BlockBitmap(count: length)
        for number in numbers {
            let supplied = newest || table.needs(key, block: number)
            if increasing {
                try regions.gather(
                    block: number, supplied: supplied, fill: fill(from: tar), to: file, fileBlocks: fileBlocks)
            } else {
                try readBlock(tar)
                if supplied { try write(block: number, to: file) }
            }
            if supplied { written.insert(number) }
        }
        try regions.flush(to: file, fileBlocks: fileBlocks)
        return DeltaResult(length: length, truncation: header.truncationBlockLength, written: written)
    }

    /// One part of a sparse `LBDELTA` file: its blocks are gathered into regions, which carry over to the next part;
    /// the last part writes what is left and ends the file.
    private func applyPart(
        _ magic: [UInt8], entry: TarEntry, tar: TarReader, file: WritableFile, key: ChainFileTable.Key,
        table: ChainFileTable
    ) throws -> DeltaResult? {
        let header = try LBDeltaPartHeader(magic + (try readExactly(LBDeltaPartHeader.size - 8, from: tar)))
        try header.check(entrySize: entry.size)
        var state =
            open
            ?? OpenFile(
                entryName: entry.name, file: file, length: header.length,
                written: BlockBitmap(count: header.length))
        guard header.length == state.length else {
            throw DeltaEntryError("a part gives \(header.length) blocks, an earlier part \(state.length)")
        }
        if open == nil, newest { try file.truncate(to: Int64(header.length) * Int64(BlockGeometry.blockSize)) }
        let numbers = try header.blockNumbers(
            try readExactly(header.numbersSize, from: tar), after: state.lastBlock)
        let fileBlocks = newest ? header.length : table.length(key) ?? 0
        for number in numbers {
            let supplied = newest || table.needs(key, block: number)
            try regions.gather(
                block: number, supplied: supplied, fill: fill(from: tar), to: file, fileBlocks: fileBlocks)
            if supplied { state.written.insert(number) }
        }
        state.lastBlock = numbers.last ?? state.lastBlock
        guard header.isLast else {
            open = state
            return nil
        }
        open = nil
        try regions.flush(to: file, fileBlocks: fileBlocks)
        return DeltaResult(length: header.length, truncation: header.length, written: state.written)
    }

    /// A dense (`LBDELTA1`) entry: as long as its file, zeros where a block is not stored. The bitmap of stored
    /// blocks follows the blocks, so a block is written as it streams past when it is not zeros (an unstored block
    /// is zeros); which zero blocks are stored — and so must not be taken from an older backup — is known at the
    /// end. A non-zero block the bitmap does not mark is corrupt. The entry is read a region at a time and each
    /// block's zero test is a memcmp.
    private func applyDense(
        _ magic: [UInt8], entry: TarEntry, tar: TarReader, file: WritableFile, key: ChainFileTable.Key,
        table: ChainFileTable
    ) throws -> DeltaResult {
        let header = try LBDeltaHeader(magic + (try readExactly(LBDeltaHeader.size - 8, from: tar)))
        try header.check(entrySize: entry.size)
        if newest { try file.truncate(to: Int64(header.length) * Int64(BlockGeometry.blockSize)) }
        var nonZero = BlockBitmap(count: header.length)
        // A block is applied when it is not zeros and (older backups) still needed.
        let fileBlocks = newest ? header.length : table.length(key) ?? 0
        try regions.writeRuns(blocks: header.length, fill: fill(from: tar), to: file, fileBlocks: fileBlocks) {
            index, indexInRun in
            guard !regions.runBlockIsZero(indexInRun) else { return false }
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

    private func write(block index: Int, to file: WritableFile) throws {
        let offset = Int64(index) * Int64(BlockGeometry.blockSize)
        try block.withUnsafeBytes { try file.write($0, at: offset) }
        copiedBytes += Int64(block.count)
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

    /// Fills a buffer from the entry (fill(_:from:)), for RegionWriter.
    private func fill(from tar: TarReader) -> (UnsafeMutableRawBufferPointer) throws -> Void {
        { [unowned self] buffer in try self.fill(buffer, from: tar) }
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
