// AbandonedScratch: what a drill killed outright (SIGKILL, OOM killer, power loss of the host's lifeboat only)
// leaves behind: a scratch cluster still running in /tmp/lifeboat-drill-*, or a scratch database
// lifeboat_drill_* on an existing server, holding restored production data. Nothing could clean up at the
// kill, so the next `drill run` on this host does: each scratch place records its drill's host and pid when it is
// made, and one whose drill is gone (same host, pid no longer running) is stopped and removed.
import Foundation
import PGClient
import Storage

#if canImport(Glibc)
import Glibc
#endif

enum AbandonedScratch {
    static let ownerFile = "lifeboat-drill.owner"
    static let scratchParent = "/tmp"
    static let scratchPrefix = "lifeboat-drill-"
    static let databasePrefix = "lifeboat_drill_"

    /// "host pid": written into a scratch directory and as the comment of a scratch database.
    static var ownerText: String { "lifeboat drill on host \(ProcessInfo.processInfo.hostName) pid \(getpid())" }

    /// A kept scratch place (`drill run --keep`) names no pid: it is the operator's to remove.
    static let keptText = "lifeboat drill scratch kept by request (drill run --keep); remove it when done"

    /// True when `text` names a drill on this host whose pid no longer runs.
    static func isAbandoned(_ text: String) -> Bool {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let hostIndex = words.firstIndex(of: "host"), hostIndex + 3 < words.count, words[hostIndex + 2] == "pid",
            let pid = Int32(words[hostIndex + 3]), pid > 0
        else { return false }
        return String(words[hostIndex + 1]) == ProcessInfo.processInfo.hostName && kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Stops and removes scratch clusters of dead drills; returns the directories removed.
    @discardableResult
    static func sweepClusters() -> [String] {
        guard let parent = try? DirectoryHandle.open(scratchParent), let names = try? parent.entries() else {
            return []
        }
        var removed: [String] = []
        for name in names where name.hasPrefix(scratchPrefix) {
            let directory = scratchParent + "/" + name
            guard let owner = try? String(contentsOfFile: directory + "/" + ownerFile, encoding: .utf8),
                isAbandoned(owner)
            else { continue }
            stopServer(dataDirectory: directory + "/data")
            if (try? parent.remove(name)) != nil { removed.append(directory) }
        }
        return removed
    }

    /// Immediate shutdown (SIGQUIT) of the postmaster in `dataDirectory`, only if that pid really is a server
    /// working in that directory (its cwd): a pid file alone could name any process.
    static func stopServer(dataDirectory: String) {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
            let first = text.split(separator: "\n").first, let pid = Int32(first), pid > 1,
            let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"),
            URL(fileURLWithPath: cwd).standardizedFileURL.path
                == URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        else { return }
        kill(pid, SIGQUIT)
        for _ in 0..<100 where kill(pid, 0) == 0 { usleep(50_000) }
    }

    /// Drops scratch databases of dead drills on `server`; returns their names.
    @discardableResult
    static func sweepDatabases(on server: ConnectionInfo) -> [String] {
        guard let connection = try? PGConnection(server) else { return [] }
        defer { connection.close() }
        let query =
            "SELECT datname, coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database WHERE datname LIKE $1"
        guard let rows = try? connection.query(query, [databasePrefix + "%"]).rows else { return [] }
        var dropped: [String] = []
        for row in rows {
            guard let name = row[0], let comment = row[1], isAbandoned(comment),
                let quoted = try? connection.quoteIdentifier(name)
            else { continue }
            if (try? connection.execute("DROP DATABASE IF EXISTS \(quoted) WITH (FORCE)")) != nil {
                dropped.append(name)
            }
        }
        return dropped
    }

    /// Creates a scratch database that records its drill, so a later run can recognise it once abandoned.
    static func createDatabase(_ name: String, on server: ConnectionInfo) throws {
        let connection = try PGConnection(server)
        defer { connection.close() }
        let quoted = try connection.quoteIdentifier(name)
        try connection.execute("CREATE DATABASE \(quoted) TEMPLATE template0")
        try connection.execute("COMMENT ON DATABASE \(quoted) IS \(try connection.quoteLiteral(ownerText))")
    }
}
