// TarWriter: writes a pax tar archive, optionally zstd-compressed, as a stream of bytes handed to a closure.
// Nothing touches a file and nothing holds the archive: libarchive compresses as entries are written and
// passes each finished block to `output`.
//
// Contract:
// - Every entry declares its size up front and must receive exactly that many bytes: tar cannot fix a header
//   afterwards, and libarchive would silently pad or truncate. `write` refuses bytes beyond the declared size
//   and `finishEntry` refuses a short entry (`ArchiveError.sizeMismatch`).
// - Any error leaves the writer failed: later calls rethrow the first error, `output` is not called again and
//   the bytes produced so far are not a valid archive. Discard them.
// - `close()` is required; a writer dropped without it writes no end-of-archive marker, which readers detect.
// - One thread at a time (not Sendable): libarchive objects are not thread-safe.
import CLibArchive
import Foundation

public final class TarWriter {
    private let archive: OpaquePointer
    private let header: OpaquePointer
    private let sink: OutputSink
    private var state = State.open
    private var current: OpenEntry?

    /// Uncompressed entry bytes written so far.
    public private(set) var bytesIn: Int64 = 0

    private enum State {
        case open, closed
        case failed(any Error)
    }

    private struct OpenEntry {
        let name: String
        let declared: Int64
        var written: Int64
    }

    /// `output` receives the compressed archive bytes in order; throw from it to abort.
    /// `level` is the zstd level; `threads` 0 compresses on the calling thread, N > 0 uses N zstd worker threads.
    public init(
        compression: ArchiveCompression = .zstd,
        level: Int = 3,
        threads: Int = 0,
        output: @escaping (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        guard let archive = archive_write_new() else {
            throw ArchiveError.libarchive(operation: "create writer", detail: "out of memory")
        }
        guard let header = archive_entry_new() else {
            archive_write_free(archive)
            throw ArchiveError.libarchive(operation: "create entry header", detail: "out of memory")
        }
        self.archive = archive
        self.header = header
        self.sink = OutputSink(output: output)
        // From here on deinit releases both handles if configuration throws.
        try guarded { try UTF8Locale.run { try configure(compression: compression, level: level, threads: threads) } }
    }

    deinit {
        if case .closed = state {
        } else {
            // Marks the archive fatal so that free does not "close cleanly" by writing to a failed output.
            archive_write_fail(archive)
        }
        archive_write_free(archive)
        archive_entry_free(header)
    }

    private func configure(compression: ArchiveCompression, level: Int, threads: Int) throws {
        try check(archive_write_set_format_pax_restricted(archive), "select pax format")
        if compression == .zstd {
            guard threads >= 0 else { throw ArchiveError.misuse("zstd threads must be 0 or more, got '\(threads)'") }
            try check(archive_write_add_filter_zstd(archive), "enable zstd compression")
            try setZstdOption("compression-level", level)
            // Without the option zstd compresses on the calling thread (checked on 3.6.2: no extra thread);
            // leaving it unset keeps that meaning even if a libarchive version reads "threads=0" as "auto".
            if threads > 0 { try setZstdOption("threads", threads) }
        }
        // Large blocks mean fewer, larger `output` calls; a short last block avoids padding the stream.
        try check(archive_write_set_bytes_per_block(archive, Self.blockSize), "set block size")
        try check(archive_write_set_bytes_in_last_block(archive, 1), "set last block size")
        try check(sink.open(archive), "open archive output")
    }

    static let blockSize: Int32 = 64 << 10

    private func setZstdOption(_ key: String, _ value: Int) throws {
        try check(archive_write_set_filter_option(archive, "zstd", key, String(value)), "set zstd \(key) to '\(value)'")
    }

    /// Starts a regular-file entry of exactly `size` bytes. An open entry is finished first.
    public func beginEntry(name: String, size: Int64, mode: Int32 = 0o600, modificationTime: Date = Date()) throws {
        try guarded {
            if current != nil { try finishCurrent() }
            try EntryName.validate(name)
            guard size >= 0 else {
                throw ArchiveError.misuse("entry \(ArchiveError.quoted(name)) has negative size '\(size)'")
            }
            let seconds = modificationTime.timeIntervalSince1970.rounded(.down)
            guard let mtime = time_t(exactly: seconds) else {
                throw ArchiveError.misuse("entry \(ArchiveError.quoted(name)) has an unrepresentable modification time")
            }
            try writeHeader(name: name, size: size, mode: mode, mtime: mtime)
            current = OpenEntry(name: name, declared: size, written: 0)
        }
    }

    private func writeHeader(name: String, size: Int64, mode: Int32, mtime: time_t) throws {
        // Without a UTF-8 locale libarchive 3.6.2 crashes on a non-ASCII name instead of failing.
        guard UTF8Locale.isAvailable || name.utf8.allSatisfy({ $0 < 0x80 }) else {
            throw ArchiveError.libarchive(
                operation: "write header of \(ArchiveError.quoted(name))",
                detail: "non-ascii names need the 'C.UTF-8' locale, which this system lacks")
        }
        try UTF8Locale.run {
            fillHeader(name: name, size: size, mode: mode, mtime: mtime)
            try check(archive_write_header(archive, header), "write header of \(ArchiveError.quoted(name))")
        }
    }

    private func fillHeader(name: String, size: Int64, mode: Int32, mtime: time_t) {
        archive_entry_clear(header)
        archive_entry_set_pathname_utf8(header, name)
        archive_entry_set_filetype(header, lifeboat_ae_ifreg)
        archive_entry_set_perm(header, mode_t(mode & 0o7777))
        archive_entry_set_size(header, size)
        // Whole seconds: ustar headers have no fraction, and a fraction would force a pax header per entry.
        archive_entry_set_mtime(header, mtime, 0)
    }

    /// Appends bytes to the open entry. Throws `sizeMismatch` (writing nothing) if they would exceed its size.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try guarded {
            guard var entry = current else { throw ArchiveError.misuse("write called without an open entry") }
            let count = Int64(bytes.count)
            guard count <= entry.declared - entry.written else {
                throw ArchiveError.sizeMismatch(
                    entry: entry.name, declared: entry.declared, written: entry.written + count)
            }
            guard let base = bytes.baseAddress, count > 0 else { return }
            try writeAll(base, bytes.count, entry.name)
            entry.written += count
            current = entry
            bytesIn += count
        }
    }

    private func writeAll(_ base: UnsafeRawPointer, _ count: Int, _ name: String) throws {
        var offset = 0
        while offset < count {
            let written = archive_write_data(archive, base + offset, count - offset)
            guard written > 0 else {
                try check(written < 0 ? Int32(truncatingIfNeeded: written) : ARCHIVE_FATAL, "write data of '\(name)'")
                return
            }
            offset += written
        }
    }

    /// Ends the open entry. Throws `sizeMismatch` if fewer bytes than declared were written.
    public func finishEntry() throws {
        try guarded {
            guard current != nil else { throw ArchiveError.misuse("finishEntry called without an open entry") }
            try finishCurrent()
        }
    }

    private func finishCurrent() throws {
        guard let entry = current else { return }
        guard entry.written == entry.declared else {
            throw ArchiveError.sizeMismatch(entry: entry.name, declared: entry.declared, written: entry.written)
        }
        try check(archive_write_finish_entry(archive), "finish entry '\(entry.name)'")
        current = nil
    }

    /// Finishes the open entry, writes the end-of-archive marker and flushes the compressor into `output`.
    /// Calling it again after success does nothing.
    public func close() throws {
        if case .closed = state { return }
        try guarded {
            try finishCurrent()
            try check(archive_write_close(archive), "close archive")
            state = .closed
        }
    }

    /// Runs `body` on a usable writer and makes the writer failed if `body` throws.
    private func guarded(_ body: () throws -> Void) throws {
        switch state {
        case .failed(let error): throw error
        case .closed: throw ArchiveError.misuse("the writer is already closed")
        case .open: break
        }
        do {
            try body()
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private func check(_ code: Int32, _ operation: @autoclosure () -> String) throws {
        guard code != ARCHIVE_OK else { return }
        try LibArchive.check(code, archive, callbackError: sink.error, LibArchive.setupFailure(operation()))
    }
}
