// DirectoryHandle: a directory opened once and then worked on only through its descriptor, for code that writes
// as root into a tree another local user may race (a physical restore hands its data directory to the server's
// OS user, who may already be waiting inside it). Every operation is relative to a directory descriptor and
// never follows a symbolic link: subdirectories are opened with O_DIRECTORY|O_NOFOLLOW, files are created with
// O_CREAT|O_EXCL|O_NOFOLLOW, modes and owners are set on open descriptors (or with AT_SYMLINK_NOFOLLOW). Once a
// directory is open, renaming it or swapping any path component for a link changes nothing about where the
// writes land.
//
// `open(path)` walks from "/" one component at a time under the same rules. The directory itself must not be a
// link. A link on the way is followed only when it sits in a directory that only root (or this process's user)
// can change — an administrator's /srv -> /data — never in one another user can write, who could have put it there.
//
// `makePrivate()` shuts every other user out of a directory, also a process that already has its working
// directory or a descriptor inside it: every name looked up through a directory needs search permission on it.
import SystemIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class DirectoryHandle {
    public enum EntryKind: Sendable, Equatable {
        case directory, file, symbolicLink, other
    }

    /// The path it was reached by, for messages only: the directory may have been moved since.
    public let path: String
    let fd: Int32

    static let directoryFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
    /// As many links as the kernel follows in one lookup (MAXSYMLINKS).
    static let linkLimit = 40

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    // MARK: opening by path

    /// Opens the directory at absolute `path` (see the rules above). With `create`, missing directories are made:
    /// the last one mode 0700, those above it 0755. A missing directory without `create` is `.io` with ENOENT.
    public static func open(_ path: String, create: Bool = false) throws -> DirectoryHandle {
        guard path.hasPrefix("/") else { throw DirectoryError.io(operation: "open", path: path, errno: EINVAL) }
        var current = try openRoot()
        var pending = Array(components(path).reversed())
        var links = 0
        var creations = 0
        while let name = pending.popLast() {
            let last = pending.isEmpty
            let child = openat(current.fd, name, directoryFlags)
            if child >= 0 {
                current = DirectoryHandle(fd: child, path: current.pathOf(name))
                continue
            }
            let code = errno
            if code == ENOENT && create && creations < 64 {  // bounded: someone may keep removing what we make
                creations += 1
                if mkdirat(current.fd, name, last ? 0o700 : 0o755) != 0 && errno != EEXIST {
                    throw current.failure("mkdir", name)
                }
                pending.append(name)
                continue
            }
            guard current.kind(of: name) == .symbolicLink else { throw current.failure("open", name, code: code) }
            guard !last else { throw DirectoryError.symbolicLink(path: current.pathOf(name)) }
            guard current.mayFollowLink(name) else { throw DirectoryError.untrustedLink(path: current.pathOf(name)) }
            links += 1
            guard links <= linkLimit else { throw DirectoryError.io(operation: "open", path: path, errno: ELOOP) }
            let target = try current.readLink(name)
            if target.hasPrefix("/") { current = try openRoot() }
            pending.append(contentsOf: components(target).reversed())
        }
        return current
    }

    static func openRoot() throws -> DirectoryHandle {
        let root = Glibc.open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { throw DirectoryError.io(operation: "open", path: "/", errno: errno) }
        return DirectoryHandle(fd: root, path: "/")
    }

    static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init).filter { $0 != "." }
    }

    /// Only root or this process's user can have put the link there and can swap it: it and its directory are
    /// theirs, and the directory is writable by nobody else (or sticky, which keeps others from replacing it).
    func mayFollowLink(_ name: String) -> Bool {
        var directory = stat()
        var link = stat()
        guard fstat(fd, &directory) == 0, fstatat(fd, name, &link, AT_SYMLINK_NOFOLLOW) == 0 else { return false }
        let trusted = { (owner: uid_t) in owner == 0 || owner == geteuid() }
        guard trusted(directory.st_uid), trusted(link.st_uid) else { return false }
        return directory.st_mode & 0o022 == 0 || directory.st_mode & mode_t(S_ISVTX) != 0
    }

    func readLink(_ name: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(fd, name, &buffer, buffer.count - 1)
        guard count >= 0 else { throw failure("readlink", name) }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: entries

    /// An existing subdirectory, never reached through a link.
    public func subdirectory(_ name: String) throws -> DirectoryHandle {
        try validate(name)
        let child = openat(fd, name, Self.directoryFlags)
        guard child >= 0 else { throw failure("open", name) }
        return DirectoryHandle(fd: child, path: pathOf(name))
    }

    /// Creates subdirectory `name` with exactly `mode`, or opens it when it already is a directory.
    @discardableResult
    public func makeSubdirectory(_ name: String, mode: mode_t = 0o700) throws -> DirectoryHandle {
        try validate(name)
        let made = mkdirat(fd, name, mode) == 0
        guard made || errno == EEXIST else { throw failure("mkdir", name) }
        let child = try subdirectory(name)
        if made { try child.setMode(mode) }  // whatever the umask took away
        return child
    }

    /// Creates subdirectory `name`, which must not exist yet (EEXIST is an error): a directory someone else put
    /// there first is never adopted.
    public func makeNewSubdirectory(_ name: String, mode: mode_t = 0o700) throws -> DirectoryHandle {
        try validate(name)
        guard mkdirat(fd, name, mode) == 0 else { throw failure("mkdir", name) }
        let child = try subdirectory(name)
        try child.setMode(mode)
        return child
    }

    /// Creates file `name`, which must not exist: never an existing file, link or device.
    public func createFile(_ name: String, mode: mode_t = 0o600) throws -> WritableFile {
        try validate(name)
        let file = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard file >= 0 else { throw failure("create", name) }
        return WritableFile(fd: file, path: pathOf(name))
    }

    /// Opens existing regular file `name` for writing in place (no O_CREAT, no O_TRUNC), and for reading back what
    /// is there (a chain restore rewrites whole regions of a file around the blocks newer backups wrote); never a
    /// link, device or FIFO.
    public func openFile(_ name: String) throws -> WritableFile {
        try openRegularFile(name, flags: O_RDWR)
    }

    /// Opens regular file `name` for appending, creating it when missing; never a link, device or FIFO
    /// (O_NONBLOCK: opening a FIFO must not wait for a reader before it is refused).
    public func appendFile(_ name: String, mode: mode_t = 0o600) throws -> WritableFile {
        try openRegularFile(name, flags: O_WRONLY | O_APPEND | O_CREAT, mode: mode)
    }

    /// openat(2) of `name` with `flags` and O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, refusing anything but a regular
    /// file: a link (ELOOP), a FIFO nobody reads (ENXIO, which O_NONBLOCK turns a wait into), a device or a FIFO
    /// with a reader (fstat).
    private func openRegularFile(_ name: String, flags: Int32, mode: mode_t = 0o600) throws -> WritableFile {
        try validate(name)
        let file = openat(fd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode)
        guard file >= 0 else {
            throw errno == ENXIO ? DirectoryError.notRegularFile(path: pathOf(name)) : failure("open", name)
        }
        var info = stat()
        guard fstat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(file)
            throw DirectoryError.notRegularFile(path: pathOf(name))
        }
        return WritableFile(fd: file, path: pathOf(name))
    }

    /// What `relativePath` (names separated by "/") is, looked up without following any link; nil when absent.
    public func kind(of relativePath: String) -> EntryKind? {
        var names = Self.components(relativePath)
        guard let last = names.popLast() else { return .directory }
        var directory = self
        for name in names {
            guard let next = try? directory.subdirectory(name) else { return nil }
            directory = next
        }
        var info = stat()
        guard fstatat(directory.fd, last, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    // MARK: the directory itself

    /// Owned by this process's user (when root) and mode 0700. The owner changes first: until then the other
    /// user still owns the directory and could change its mode back.
    public func makePrivate() throws {
        if geteuid() == 0 { try setOwner(uid: 0, gid: getegid()) }
        try setMode(0o700)
    }

    public func setMode(_ mode: mode_t) throws {
        try DirectoryError.mapped { try FileDescriptor(fd).setMode(mode, path: path) }
    }

    public func setOwner(uid: uid_t, gid: gid_t) throws {
        guard fchown(fd, uid, gid) == 0 else { throw DirectoryError.io(operation: "chown", path: path, errno: errno) }
    }

    public func sync() throws {
        try DirectoryError.mapped { try FileDescriptor(fd).sync(path: path) }
    }

    /// syncfs(2) of the file system holding the directory: everything written to it reaches the disk in one call,
    /// which is far cheaper than an fsync per file when a restore has written thousands of them.
    public func syncFileSystem() throws {
        try DirectoryError.mapped { try FileDescriptor(fd).syncFileSystem(path: path) }
    }

    // MARK: helpers

    func pathOf(_ name: String) -> String {
        name == ".." ? Directory.parent(of: path) : (path == "/" ? "/" + name : path + "/" + name)
    }

    /// One name inside this directory: no "/", not "." or "..".
    func validate(_ name: String) throws {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != "..", !name.utf8.contains(0) else {
            throw DirectoryError.io(operation: "use", path: pathOf(name), errno: EINVAL)
        }
    }

    /// The error for `operation` on entry `name` that failed with `code`: a link or non-directory in the way
    /// said as such rather than as "Too many levels of symbolic links".
    func failure(_ operation: String, _ name: String, code: Int32 = errno) -> DirectoryError {
        let kind = kind(of: name)
        if kind == .symbolicLink && [ELOOP, ENOTDIR, EEXIST].contains(code) {
            return .symbolicLink(path: pathOf(name))
        }
        if kind != nil && kind != .directory && code == ENOTDIR { return .notDirectory(path: pathOf(name)) }
        return .io(operation: operation, path: pathOf(name), errno: code)
    }
}
