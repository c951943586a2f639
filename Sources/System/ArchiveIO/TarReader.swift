// TarReader: reads a tar archive from a stream of (possibly compressed) bytes pulled through a closure.
// Compression is detected from the data (zstd, gzip, lz4, xz or none); only the tar format is accepted.
//
// Contract:
// - Only regular files are handed out; directories, links and devices are `ArchiveError.corrupt`, and every
//   name is checked with `EntryName.validate` before the caller sees it. A reader made with
//   `allowDirectories: true` also hands out directory entries (`TarEntry.isDirectory`, size 0, name without
//   its trailing `/`); links and devices stay refused.
// - The archive must end with tar's end-of-archive marker. libarchive alone accepts an archive cut at an entry
//   boundary (or inside the marker) as complete; this reader reports it as truncated.
// - `peekEntry()` reads the next header without making it current: the current entry ends (its unread data
//   is skipped) and the following `nextEntry()` returns the peeked header without reading anything. This is
//   how `PiecedEntryReader` stops after its last piece and leaves the next entry to the caller.
// - Any error leaves the reader failed: later calls rethrow the first error.
// - One thread at a time (not Sendable): libarchive objects are not thread-safe.
import CLibArchive
import Foundation

public final class TarReader {
    private let archive: OpaquePointer
    private let source: InputSource
    private var failure: (any Error)?
    /// The entry `read(into:)` reads from, as returned by `nextEntry()`.
    private var current: Current?
    /// A header libarchive has read that the caller has not received through `nextEntry()` yet.
    private var peeked: TarEntry?
    /// True once libarchive sits on a header, so its data must be skipped before the next one.
    private var positionedOnEntry = false
    private var ended = false
    private let allowDirectories: Bool

    private struct Current {
        let entry: TarEntry
        var delivered: Int64 = 0
        var exhausted = false
    }

    /// Two 512-byte zero blocks end every tar archive.
    private static let endMarkerSize: Int64 = 1024
    static let inputBufferSize = 256 << 10

    /// `input` fills the buffer and returns the number of bytes, 0 at end of stream.
    /// `allowDirectories` also accepts directory entries (e.g. in a pg_basebackup tar); the default is files only.
    public init(input: @escaping (UnsafeMutableRawBufferPointer) throws -> Int, allowDirectories: Bool = false) throws {
        self.allowDirectories = allowDirectories
        guard let archive = archive_read_new() else {
            throw ArchiveError.libarchive(operation: "create reader", detail: "out of memory")
        }
        self.archive = archive
        self.source = InputSource(bufferSize: Self.inputBufferSize, input: input)
        try guarded { try UTF8Locale.run { try configure() } }
    }

    deinit {
        archive_read_free(archive)
    }

    private func configure() throws {
        try check(archive_read_support_filter_zstd(archive), LibArchive.setupFailure("enable zstd decompression"))
        // The others are for archives made by other tools; an external decompressor (ARCHIVE_WARN) is acceptable.
        let optionalFilters: [(String, (OpaquePointer) -> Int32)] = [
            ("gzip", archive_read_support_filter_gzip),
            ("lz4", archive_read_support_filter_lz4),
            ("xz", archive_read_support_filter_xz),
        ]
        for (name, enable) in optionalFilters where enable(archive) == ARCHIVE_FATAL {
            throw ArchiveError.libarchive(
                operation: "enable \(name) decompression", detail: LibArchive.detail(archive, code: ARCHIVE_FATAL))
        }
        try check(archive_read_support_format_tar(archive), LibArchive.setupFailure("enable tar format"))
        try check(source.open(archive), LibArchive.readFailure(archive, "open archive"))
    }

    /// The next entry, or nil at the end of the archive. Unread data of the current entry is skipped.
    public func nextEntry() throws -> TarEntry? {
        try guarded {
            let entry: TarEntry?
            if let peeked {
                entry = peeked
                self.peeked = nil
            } else {
                entry = try advance()
            }
            current = entry.map { Current(entry: $0) }
            return entry
        }
    }

    /// The entry the next `nextEntry()` will return, without making it current. Ends the current entry.
    public func peekEntry() throws -> TarEntry? {
        try guarded {
            if let peeked { return peeked }
            current?.exhausted = true
            peeked = try advance()
            return peeked
        }
    }

    /// Reads data of the current entry; 0 at its end.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try guarded {
            guard var entry = current else { throw ArchiveError.misuse("read called without a current entry") }
            guard !entry.exhausted, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
            let count = archive_read_data(archive, base, buffer.count)
            if count < 0 {
                try check(
                    Int32(truncatingIfNeeded: count),
                    LibArchive.readFailure(archive, "read data of \(ArchiveError.quoted(entry.entry.name))"))
            }
            entry.delivered += Int64(count)
            entry.exhausted = count == 0
            current = entry
            if count == 0 { try verifyComplete(entry) }
            return count
        }
    }

    private func verifyComplete(_ entry: Current) throws {
        guard entry.delivered == entry.entry.size else {
            throw ArchiveError.corrupt(
                "entry \(ArchiveError.quoted(entry.entry.name)) ended after '\(entry.delivered)' of '\(entry.entry.size)' bytes"
            )
        }
    }

    /// Moves libarchive to the next header and converts it, or detects the end of the archive.
    private func advance() throws -> TarEntry? {
        guard !ended else { return nil }
        if positionedOnEntry {
            try check(archive_read_data_skip(archive), LibArchive.readFailure(archive, "skip entry data"))
            positionedOnEntry = false
        }
        let before = archive_filter_bytes(archive, 0)
        return try UTF8Locale.run {
            var header: OpaquePointer?
            let code = archive_read_next_header(archive, &header)
            if code == ARCHIVE_EOF {
                ended = true
                try verifyEndMarker(consumed: archive_filter_bytes(archive, 0) - before)
                return nil
            }
            try check(code, LibArchive.readFailure(archive, "read entry header"))
            guard let header else { throw ArchiveError.corrupt("libarchive returned no header") }
            positionedOnEntry = true
            return try TarEntry(header: header, allowDirectories: allowDirectories)
        }
    }

    private func verifyEndMarker(consumed: Int64) throws {
        guard consumed == Self.endMarkerSize else {
            throw ArchiveError.corrupt("the archive ends without its end-of-archive marker (truncated)")
        }
    }

    /// Runs `body` on a usable reader and makes the reader failed if `body` throws.
    private func guarded<T>(_ body: () throws -> T) throws -> T {
        if let failure { throw failure }
        do {
            return try body()
        } catch {
            failure = error
            throw error
        }
    }

    private func check(_ code: Int32, _ makeError: (String) -> ArchiveError) throws {
        try LibArchive.check(code, archive, callbackError: source.error, makeError)
    }
}

extension TarEntry {
    /// Converts a libarchive header, accepting only safe regular files with a known size (and, when allowed,
    /// directories).
    init(header: OpaquePointer, allowDirectories: Bool = false) throws {
        let name = try Self.name(of: header)
        try EntryName.validate(name)
        if allowDirectories, archive_entry_filetype(header) == lifeboat_ae_ifdir, archive_entry_hardlink(header) == nil,
            archive_entry_symlink(header) == nil
        {
            var bare = name
            while bare.count > 1, bare.hasSuffix("/") { bare.removeLast() }
            try EntryName.validate(bare)
            self.init(
                name: bare, size: 0, mode: Int32(archive_entry_perm(header) & 0o7777),
                modificationTime: Date(timeIntervalSince1970: TimeInterval(archive_entry_mtime(header))),
                isDirectory: true)
            return
        }
        guard archive_entry_filetype(header) == lifeboat_ae_ifreg, archive_entry_hardlink(header) == nil else {
            throw ArchiveError.corrupt("entry \(ArchiveError.quoted(name)) is not a regular file")
        }
        guard archive_entry_size_is_set(header) != 0, archive_entry_size(header) >= 0 else {
            throw ArchiveError.corrupt("entry \(ArchiveError.quoted(name)) has no valid size")
        }
        self.init(
            name: name,
            size: archive_entry_size(header),
            mode: Int32(archive_entry_perm(header) & 0o7777),
            modificationTime: Date(timeIntervalSince1970: TimeInterval(archive_entry_mtime(header)))
        )
    }

    private static func name(of header: OpaquePointer) throws -> String {
        if let utf8 = archive_entry_pathname_utf8(header) { return String(cString: utf8) }
        if let raw = archive_entry_pathname(header) { return String(cString: raw) }
        throw ArchiveError.corrupt("entry without a name")
    }
}
