// PrivateWorkDirectory: the private local directories of parallel dumps and restores, `<prefix><pid>-XXXXXX`
// (mode 0700) in $TMPDIR. The pid lets a later run on this host remove what a run killed outright left behind: a
// dump's unread files are plaintext of a database, a restore's table of contents its schema.
import Foundation

#if canImport(Glibc)
import Glibc
#endif

enum PrivateWorkDirectory {
    /// Creates `<base>/<prefix><pid>-XXXXXX`, mode 0700, after removing the abandoned ones of the same prefix.
    static func make(prefix: String, in base: String, purpose: String) throws -> String {
        removeAbandoned(prefix: prefix, in: base)
        var template = Array((base + "/" + prefix + "\(getpid())-XXXXXX").utf8CString)
        guard
            let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({
                String(cString: $0)
            })
        else {
            throw EngineError.invalidArgument(
                "cannot create a directory for \(purpose) in '\(base)': \(String(cString: strerror(errno)))",
                hint: "set TMPDIR to a writable directory")
        }
        return made
    }

    /// Directories of this user whose process no longer runs.
    static func removeAbandoned(prefix: String, in base: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid != getpid() else { continue }
            var info = stat()
            let path = base + "/" + name
            guard lstat(path, &info) == 0, info.st_uid == geteuid(), (info.st_mode & S_IFMT) == S_IFDIR else {
                continue
            }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: path) }
        }
    }
}
