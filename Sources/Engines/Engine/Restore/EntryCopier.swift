// EntryCopier: copies one tar entry's bytes into the new file a restore created for it (docs/format.md §6.3).
// A large file's bytes bypass the page cache (O_DIRECT): the restore never reads them again, and copying gigabytes
// into the page cache is what a restore's time went to — on this project's 2-core virtual machine, whose fresh
// memory pages are slow to touch, 67 % of a 3 GB restore's samples sat in that one kernel copy and the restore
// took 5–16 s; written directly, 2.6–3.7 s. The entry is read straight into one aligned buffer and written from it,
// so the bytes are not copied once more on the way. (Two writer threads behind the reader, keeping two writes at
// the device, measured no faster: the reader's thread, not the device, is the bound.) Small files, an unaligned
// tail and file systems without direct I/O go through the page cache, with the disk's writeback started every few
// MiB so the final syncfs waits for little. Durability is unchanged: the restore's syncfs (after every file)
// commits the files' metadata and flushes the device's cache for both kinds of write.
import ArchiveIO
import Storage
import SystemIO

final class EntryCopier {
    /// Entries smaller than this go through the page cache: a direct write waits for the device, which only pays
    /// for itself over many MiB (a relation segment is up to 1 GiB; most other files are KiB).
    static let directMinimum: Int64 = 1 << 20
    /// How much of a large file is written before its writeback is started, when written through the page cache.
    static let writebackEvery: Int64 = 8 << 20
    static let bufferSize = 1 << 20

    /// Whether large files may bypass the page cache (`restore.direct_io`).
    let direct: Bool
    private let buffer: UnsafeMutableRawBufferPointer

    init(direct: Bool) {
        self.direct = direct
        buffer = .allocate(byteCount: Self.bufferSize, alignment: FileDescriptor.directAlignment)
    }

    deinit { buffer.deallocate() }

    /// Copies everything `read` yields (0 at the end) into `file` from offset 0; `advance` is told each count read.
    /// Returns the bytes copied.
    func copy(
        size: Int64, into file: WritableFile, read: (UnsafeMutableRawBufferPointer) throws -> Int,
        advance: (Int) -> Void
    ) throws -> Int64 {
        if direct, size >= Self.directMinimum { _ = file.useDirectIO() }
        var offset: Int64 = 0  // where the buffer's first byte goes
        var filled = 0
        var flushed: Int64 = 0  // what the page cache was last told to start writing, up to
        while case let count = try read(UnsafeMutableRawBufferPointer(rebasing: buffer[filled...])), count > 0 {
            filled += count
            advance(count)
            guard filled == buffer.count else { continue }
            try file.writeAligned(UnsafeRawBufferPointer(buffer), at: offset)
            offset += Int64(filled)
            filled = 0
            if !file.isDirect, offset - flushed >= Self.writebackEvery {
                file.startWriteback(offset: flushed, length: offset - flushed)
                flushed = offset
            }
        }
        try writeTail(filled, at: offset, into: file)
        return offset + Int64(filled)
    }

    /// The last bytes: their aligned part like the others, the rest (a file whose size is not a multiple of the
    /// alignment) through the page cache.
    private func writeTail(_ count: Int, at offset: Int64, into file: WritableFile) throws {
        let aligned = file.isDirect ? count & ~(FileDescriptor.directAlignment - 1) : count
        if aligned > 0 {
            try file.writeAligned(UnsafeRawBufferPointer(rebasing: buffer[0..<aligned]), at: offset)
        }
        if count > aligned {
            file.stopDirectIO()
            try file.write(UnsafeRawBufferPointer(rebasing: buffer[aligned..<count]), at: offset + Int64(aligned))
        }
    }
}
