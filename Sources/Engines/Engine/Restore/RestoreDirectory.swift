// RestoreDirectory: the directories a snapshot restore writes into — the data directory and each tablespace's.
// Run as root, the restore writes into directories the server's OS user will own, and a process of that user
// may race it (or already sit inside the directory). So every directory is opened once (DirectoryHandle: never
// through a link, every write relative to a descriptor), made private to root (mode 0700) before it is checked
// or emptied, and handed to postgres.os_user only when everything is written, deepest entries first.
import Catalog
import Configuration
import Foundation
import Storage

#if canImport(Glibc)
import Glibc
#endif

enum RestoreDirectory {
    static let systemDirectories: Set<String> = [
        "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/opt", "/proc", "/root", "/run", "/sbin",
        "/srv", "/sys", "/tmp", "/usr", "/var", "/var/lib",
    ]

    static let serverRunning = "a server may be running in it (postmaster.pid exists); stop it first"

    /// A data directory must be an absolute path that restore_command's quoting can carry, and never a system
    /// directory: a slip of the keyboard at 3 a.m. must not empty the root filesystem (--clean) or chmod it 0700.
    static func checkPath(_ directory: String) throws {
        guard directory.hasPrefix("/"), !directory.contains("'"), !directory.utf8.contains(0) else {
            throw SnapshotError.dataDirectoryUnusable(
                path: directory,
                detail: "it must be an absolute path without single quotes")
        }
        guard !systemDirectories.contains(PathResolver.resolve(directory, relativeTo: "/")) else {
            throw SnapshotError.dataDirectoryUnusable(
                path: directory,
                detail: "it is a system directory, never a data directory")
        }
    }

    /// The directory as the restore will open it (DirectoryHandle's rules: a link there, or an untrusted one on
    /// the way, makes it unusable).
    static func state(_ path: String) -> DirectoryState {
        do {
            return try DirectoryHandle.open(path).entries().isEmpty ? .empty : .notEmpty
        } catch let error as DirectoryError {
            if error.code == ENOENT { return .absent }
            if case .notDirectory = error { return .notDirectory }
            return .unusable(error.message)
        } catch {
            return .unusable("\(error)")
        }
    }

    static func check(_ directory: String, clean: Bool) throws {
        switch state(directory) {
        case .absent, .empty: return
        case .notDirectory: throw SnapshotError.dataDirectoryUnusable(path: directory, detail: "it is not a directory")
        case .unusable(let detail): throw SnapshotError.dataDirectoryUnusable(path: directory, detail: detail)
        case .notEmpty:
            guard clean else { throw SnapshotError.dataDirectoryNotEmpty(directory) }
            if (try? DirectoryHandle.open(directory))?.kind(of: "postmaster.pid") != nil {
                throw SnapshotError.dataDirectoryUnusable(path: directory, detail: serverRunning)
            }
        }
    }

    /// The uid and gid the restored files are handed to; nil when not running as root.
    static func ownerIDs(osUser: String?) throws -> (uid_t, gid_t)? {
        guard let user = osUser else { return nil }
        guard let entry = getpwnam(user) else {
            throw SnapshotError.dataDirectoryUnusable(
                path: "-",
                detail: "OS user '\(user)' (postgres.os_user) does not exist")
        }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    /// Opens (creating it when missing) a directory to restore into and makes it private to root before looking
    /// inside: from then on nobody else can add to it, rename in it or reach through it, also from a working
    /// directory or descriptor already inside. Then it must be empty, or is emptied when `clean`.
    static func takeOver(
        _ directory: String, clean: Bool, notEmpty: @autoclosure () -> any Error,
        unusable: (String) -> any Error
    ) throws -> DirectoryHandle {
        do {
            let handle = try DirectoryHandle.open(directory, create: true)
            try handle.makePrivate()
            guard try !handle.entries().isEmpty else { return handle }
            guard clean else { throw notEmpty() }
            guard handle.kind(of: "postmaster.pid") == nil else { throw unusable(serverRunning) }
            try handle.removeContents()
            return handle
        } catch let error as DirectoryError {
            throw unusable(error.message)
        }
    }

    /// The data directory itself.
    static func takeOver(dataDirectory directory: String, clean: Bool) throws -> DirectoryHandle {
        try takeOver(directory, clean: clean, notEmpty: SnapshotError.dataDirectoryNotEmpty(directory)) {
            SnapshotError.dataDirectoryUnusable(path: directory, detail: $0)
        }
    }

    /// A tablespace's directory; its original location is never emptied, not even with --clean (TablespacePlan).
    static func takeOver(_ space: TablespaceTarget, clean requested: Bool) throws -> DirectoryHandle {
        let clean = space.mapped && requested
        let notEmpty: TablespacePlanError =
            space.mapped
            ? .targetNotEmpty(oid: space.oid, path: space.directory)
            : .locationNotEmpty(oid: space.oid, path: space.directory)
        return try takeOver(space.directory, clean: clean, notEmpty: notEmpty) {
            TablespacePlanError.unusableDirectory(oid: space.oid, path: space.directory, detail: $0)
        }
    }
}
