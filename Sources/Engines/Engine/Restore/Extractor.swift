// Extractor: writes the entries of a base backup tar (the data directory's or a tablespace's) into one directory,
// through directory descriptors only (DirectoryHandle): names are validated by TarReader and again here (no
// "..", never a link — the reader hands out none, and nothing is followed), subdirectories are created mode 0700
// and opened without following links, files are created exclusively (O_EXCL|O_NOFOLLOW) with the tar's owner
// bits (at most 0600). Nothing is chowned here: the restore keeps the tree private to root while it writes and
// hands it to the server's OS user at the end (PhysicalRestore), so that user cannot race the extraction.
import ArchiveIO
import Storage

#if canImport(Glibc)
import Glibc
#endif

final class Extractor {
    let root: DirectoryHandle
    let progress: ProgressReporter
    private(set) var files = 0
    private(set) var bytes: Int64 = 0
    /// The directory the previous entry went into, by its names under root: a tar lists a directory's entries
    /// together, so most entries reuse it instead of opening every component again.
    private var recent: (names: ArraySlice<String>, handle: DirectoryHandle)?

    init(root: DirectoryHandle, progress: ProgressReporter) {
        self.root = root
        self.progress = progress
    }

    func extract(_ tar: TarReader) throws {
        defer { recent = nil }  // no descriptor outlives the extraction
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while let entry = try tar.nextEntry() {
            let names = entry.name.split(separator: "/").map(String.init).filter { $0 != "." }
            guard !names.contains("..") else { throw ArchiveError.unsafeEntryName(entry.name) }
            guard let name = names.last else { continue }
            let parent = try directory(names.dropLast())
            if entry.isDirectory {
                // 0700 whatever the tar says: PostgreSQL wants its directories private to its user.
                recent = (names[...], try parent.makeSubdirectory(name, mode: 0o700))
                continue
            }
            let file = try parent.createFile(name, mode: 0o600)
            while case let count = try buffer.withUnsafeMutableBytes({ try tar.read(into: $0) }), count > 0 {
                try buffer.withUnsafeBytes { try file.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                bytes += Int64(count)
                progress.advance(by: count)
            }
            try file.setMode(mode_t(entry.mode) & 0o600)
            files += 1
        }
    }

    /// Adds another extractor's totals (a tablespace's) to this one's.
    func count(_ other: Extractor) {
        files += other.files
        bytes += other.bytes
    }

    /// Adds counts of files and bytes written by other means (a chain's extractors).
    func add(files: Int, bytes: Int64) {
        self.files += files
        self.bytes += bytes
    }

    /// Replaces (or creates) a file directly under root.
    func replace(_ data: [UInt8], name: String) throws {
        try root.remove(name)
        let file = try root.createFile(name, mode: 0o600)
        try file.write(data)
        try file.sync()
    }

    /// Appends to (or creates) a file directly under root.
    func append(_ data: [UInt8], to name: String) throws {
        let file = try root.appendFile(name, mode: 0o600)
        try file.write(data)
        try file.sync()
    }

    /// The directory `names` under root, made (0700) where missing.
    private func directory(_ names: ArraySlice<String>) throws -> DirectoryHandle {
        if let recent, recent.names.elementsEqual(names) { return recent.handle }
        var handle = root
        for name in names { handle = try handle.makeSubdirectory(name, mode: 0o700) }
        recent = (names, handle)
        return handle
    }
}
