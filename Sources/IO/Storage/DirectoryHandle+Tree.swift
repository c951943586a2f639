// DirectoryHandle over a whole tree: listing, removing and changing owners, through descriptors only (a link
// is removed or re-owned itself, never what it points to).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DirectoryHandle {
    /// The names in the directory, without "." and "..".
    public func entries() throws -> [String] {
        let copy = dup(fd)  // closedir closes the descriptor it was given
        guard copy >= 0, let stream = fdopendir(copy) else {
            let code = errno
            if copy >= 0 { close(copy) }
            throw DirectoryError.io(operation: "list", path: path, errno: code)
        }
        defer { closedir(stream) }
        rewinddir(stream)  // the copy shares its offset with earlier listings
        var names: [String] = []
        errno = 0
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        guard errno == 0 else { throw DirectoryError.io(operation: "list", path: path, errno: errno) }
        return names
    }

    /// Removes entry `name`: a file or link (the link itself), or a directory with everything in it. Each
    /// directory is made private before it is emptied, so nobody can add to it meanwhile.
    public func remove(_ name: String) throws {
        try validate(name)
        guard let kind = kind(of: name) else { return }
        guard kind == .directory else {
            guard unlinkat(fd, name, 0) == 0 || errno == ENOENT else { throw failure("unlink", name) }
            return
        }
        let child = try subdirectory(name)
        try? child.makePrivate()  // best effort: without it the removal is still confined to this tree
        try child.removeContents()
        guard unlinkat(fd, name, AT_REMOVEDIR) == 0 || errno == ENOENT else { throw failure("rmdir", name) }
    }

    /// Removes everything in the directory, which stays.
    public func removeContents() throws {
        for name in try entries() { try remove(name) }
    }

    /// Gives the whole tree to uid:gid, deepest entries first: a directory changes hands only after everything in
    /// it, so its new owner never gets to rearrange a part still being worked on. Entries are re-owned by name
    /// (AT_SYMLINK_NOFOLLOW) in a directory that is still ours alone, so the name cannot be swapped meanwhile.
    public func setOwnerRecursively(uid: uid_t, gid: gid_t) throws {
        for name in try entries() {
            if kind(of: name) == .directory {
                try subdirectory(name).setOwnerRecursively(uid: uid, gid: gid)
            } else if fchownat(fd, name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0 {
                throw failure("chown", name)
            }
        }
        try setOwner(uid: uid, gid: gid)
    }
}
