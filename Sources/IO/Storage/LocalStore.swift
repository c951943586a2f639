// LocalStore: a repository in a local directory (file://), the embedded default.
// Durability: every write goes to `.tmp/`, is fsynced, renamed (or linked, for exclusive creates) into place,
// and the destination directory is fsynced, so a crash leaves either the old state or the complete object.
import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct LocalStore: BlobStore {
    public let root: String
    /// Set when running as root in a repository another user owns: new files and directories go to that user.
    let owner: RepositoryOwner?
    public var location: String { "file://" + root }
    /// link(2) gives exclusive create; a directory has no storage classes, Object Lock or versions.
    public var capabilities: StoreCapabilities { [.exclusiveCreate] }
    public var archival: (any ArchivalOperations)? { nil }
    public var bucket: (any BucketOperations)? { nil }
    static let temporaryDirectory = ".tmp"

    /// `root` must be an absolute path. With `create`, it is made (mode 0700) when missing; without, a missing
    /// root is `StoreError.notARepository`, so a mistyped path never creates directories.
    public init(root: String, create: Bool = true) throws {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        if !create && access(self.root, F_OK) != 0 { throw StoreError.notARepository("file://" + self.root) }
        try POSIX.makeDirectories(self.root)
        owner = RepositoryOwner.of(root: self.root)
        try POSIX.makeDirectories(self.root + "/" + Self.temporaryDirectory, owner: owner)
        sweepAbandonedTemporaries()
    }

    func path(_ key: ObjectKey) -> String { root + "/" + key.rawValue }

    /// `.tmp/<host>.<pid>.<random>.part`: the writer's host and pid let a later run tell an abandoned file
    /// (its writer was killed) from one still being written.
    func temporaryPath() -> String {
        let token = (0..<4).map { _ in String(UInt32.random(in: .min ... .max), radix: 16) }.joined()
        return "\(root)/\(Self.temporaryDirectory)/\(Self.temporaryOwner).\(getpid()).\(token).part"
    }

    /// The host name as a file-name component (`.` and `/` would confuse the parse below).
    static let temporaryOwner = String(
        ProcessInfo.processInfo.hostName.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" })

    /// Deletes temporary files whose writer, on this host, no longer runs (killed mid-write: no cleanup ran).
    /// Files of other hosts (a repository on a shared filesystem) and of live processes are left alone; so are
    /// unparseable names. Best effort: a read-only user simply leaves them.
    func sweepAbandonedTemporaries() {
        let directory = root + "/" + Self.temporaryDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasSuffix(".part") {
            let parts = name.split(separator: ".")
            guard parts.count == 4, parts[0] == Self.temporaryOwner, let pid = Int32(parts[1]), pid > 0 else {
                continue
            }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + name) }
        }
    }

    public func put(_ key: ObjectKey, data: [UInt8]) throws {
        let writer = try makeWriter(for: key)
        do {
            try data.withUnsafeBytes { try writer.write($0) }
            _ = try writer.commit()
        } catch {
            writer.abort()
            throw error
        }
    }

    public func makeWriter(for key: ObjectKey) throws -> BlobWriter {
        try LocalBlobWriter(store: self, key: key)
    }

    public func open(_ key: ObjectKey) throws -> BlobReader {
        let fd = Glibc.open(path(key), O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { throw StoreError.notFound(key: key.rawValue, store: location) }
            throw StoreError.io(operation: "open", path: path(key), errno: errno)
        }
        return LocalBlobReader(fd: fd, path: path(key))
    }

    public func head(_ key: ObjectKey) throws -> BlobInfo? {
        var info = stat()
        if stat(path(key), &info) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw StoreError.io(operation: "stat", path: path(key), errno: errno)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return BlobInfo(key: key, size: Int64(info.st_size), modified: Self.modificationDate(info))
    }

    public func list(prefix: String) throws -> [BlobInfo] {
        // Walk only the deepest directory the prefix names, then filter by the full prefix.
        let directoryPart = prefix.contains("/") ? String(prefix[..<prefix.lastIndex(of: "/")!]) : ""
        var results: [BlobInfo] = []
        try walk(relative: directoryPart, prefix: prefix, into: &results)
        return results.sorted { $0.key < $1.key }
    }

    private func walk(relative: String, prefix: String, into results: inout [BlobInfo]) throws {
        let directory = relative.isEmpty ? root : root + "/" + relative
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            // Nothing stored under this prefix yet; any other reason (EACCES: a repository written by another
            // OS user) must not look like an empty repository.
            if access(directory, F_OK) != 0 && errno == ENOENT { return }
            let code = access(directory, R_OK | X_OK) != 0 ? errno : EIO
            throw StoreError.io(operation: "list", path: directory, errno: code)
        }
        for name in names where !(relative.isEmpty && name == Self.temporaryDirectory) {
            let keyString = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(directory + "/" + name, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                if keyString.hasPrefix(prefix) || prefix.hasPrefix(keyString + "/") {
                    try walk(relative: keyString, prefix: prefix, into: &results)
                }
            } else if (info.st_mode & S_IFMT) == S_IFREG, keyString.hasPrefix(prefix),
                let key = try? ObjectKey(keyString)
            {
                results.append(BlobInfo(key: key, size: Int64(info.st_size), modified: Self.modificationDate(info)))
            }
        }
    }

    public func delete(_ key: ObjectKey) throws {
        if unlink(path(key)) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw StoreError.io(operation: "delete", path: path(key), errno: errno)
        }
        try POSIX.syncDirectory(POSIX.parent(of: path(key)))
    }

    public func createExclusive(_ key: ObjectKey, data: [UInt8]) throws -> Bool {
        let temporary = temporaryPath()
        let file = try POSIX.mapped { try DurableFile(replacing: path(key), mode: 0o600) { temporary } }
        defer { file.discard() }
        try owner?.adopt(fd: file.descriptor.rawValue, path: temporary)
        try POSIX.mapped { try file.write(data) }
        try POSIX.makeDirectories(POSIX.parent(of: file.path), owner: owner)
        // link(2) fails with EEXIST instead of replacing: the atomic create-if-absent.
        return try POSIX.mapped { try file.commitExclusively() }
    }

    static func modificationDate(_ info: stat) -> Date {
        Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec) + TimeInterval(info.st_mtim.tv_nsec) / 1e9)
    }
}
