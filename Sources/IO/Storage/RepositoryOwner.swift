// RepositoryOwner: whom the files of a local repository belong to. PostgreSQL archives into a repository as its
// own OS user (archive_command), while an operator may run `key rotate`, a backup or a prune as root. A file root
// created there (0600) would be unreadable to the next `wal push` and archiving would stop. So a run as root
// gives every file and directory it creates to the owner of the repository's root directory.
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct RepositoryOwner: Sendable, Equatable {
    public let uid: uid_t
    public let gid: gid_t

    /// The owner to hand new files to: nil unless running as root in a directory someone else owns.
    public static func of(root: String) -> RepositoryOwner? {
        guard geteuid() == 0 else { return nil }
        var info = stat()
        guard stat(root, &info) == 0, info.st_uid != 0 else { return nil }
        return RepositoryOwner(uid: info.st_uid, gid: info.st_gid)
    }

    /// Gives an open file to the owner (fchown on the descriptor: no path, nothing to redirect).
    public func adopt(fd: Int32, path: String) throws {
        try POSIX.check(fchown(fd, uid, gid), "chown", path)
    }

    /// Gives a directory lifeboat just created to the owner, refusing to follow a link put in its place.
    func adopt(directory: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.io(operation: "open", path: directory, errno: errno) }
        defer { close(fd) }
        try adopt(fd: fd, path: directory)
    }
}
