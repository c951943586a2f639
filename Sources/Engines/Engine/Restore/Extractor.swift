// Extractor: the data directory's root during a physical restore, with the totals of what was written into it
// (ChainExtractor writes the backups' files) and the few files the restore itself writes there (tablespace_map,
// the recovery settings), each fsynced. Through the directory's descriptor only (DirectoryHandle), never
// following a link. Nothing is chowned here: the restore keeps the tree private to root while it writes and hands
// it to the server's OS user at the end (PhysicalRestore), so that user cannot race the extraction.
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

    init(root: DirectoryHandle, progress: ProgressReporter) {
        self.root = root
        self.progress = progress
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
}
