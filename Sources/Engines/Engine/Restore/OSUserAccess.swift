// OSUserAccess: can the server's OS user reach a file that PostgreSQL will run or read on Lifeboat's behalf?
// A restored server's restore_command runs this lifeboat binary with this configuration as that user. When
// either sits below a directory only its owner can enter (a checkout under /root, a 0700 home, `mktemp -d`),
// every `wal get` fails with "Permission denied" and recovery waits forever; refuse within the plan instead.
import Foundation

#if canImport(Glibc)
import Glibc
#endif

enum OSUserAccess {
    enum Need: String {
        case execute, read
    }

    /// Throws when `user` cannot traverse every directory above `path` or cannot `need` the file itself.
    static func require(_ path: String, user: String?, need: Need, purpose: String) throws {
        guard let user, let identity = Identity(user) else { return }
        if let blocker = firstBlocker(path, identity: identity, need: need) {
            throw EngineError.osUserCannotReach(user: user, path: path, blocker: blocker, purpose: purpose)
        }
    }

    /// The first path (an ancestor directory or the file) that denies the user, or nil when nothing does.
    static func firstBlocker(_ path: String, identity: Identity, need: Need) -> String? {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        var prefix = ""
        for component in absolute.split(separator: "/").dropLast() {
            prefix += "/" + component
            if !identity.may(S_IXUSR, S_IXGRP, S_IXOTH, on: prefix) { return prefix }
        }
        switch need {
        case .execute: return identity.may(S_IXUSR, S_IXGRP, S_IXOTH, on: absolute) ? nil : absolute
        case .read: return identity.may(S_IRUSR, S_IRGRP, S_IROTH, on: absolute) ? nil : absolute
        }
    }

    struct Identity {
        let uid: uid_t
        let groups: Set<gid_t>

        init?(_ user: String) {
            guard let entry = getpwnam(user) else { return nil }
            uid = entry.pointee.pw_uid
            var count: Int32 = 64
            var list = [gid_t](repeating: 0, count: Int(count))
            if getgrouplist(entry.pointee.pw_name, entry.pointee.pw_gid, &list, &count) < 0 {
                list = [entry.pointee.pw_gid]
                count = 1
            }
            groups = Set(list.prefix(Int(count)))
        }

        init(uid: uid_t, groups: Set<gid_t>) {
            self.uid = uid
            self.groups = groups
        }

        /// Classic owner/group/other permission check (root's bypass does not apply: the user is not root).
        func may(_ owner: mode_t, _ group: mode_t, _ other: mode_t, on path: String) -> Bool {
            var info = stat()
            guard stat(path, &info) == 0 else { return false }
            if uid == 0 { return true }
            if info.st_uid == uid { return info.st_mode & owner != 0 }
            if groups.contains(info.st_gid) { return info.st_mode & group != 0 }
            return info.st_mode & other != 0
        }
    }
}
