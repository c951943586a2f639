// ScratchCluster: a throwaway PostgreSQL server for drills, in a private temporary directory, listening only on
// 127.0.0.1 at a free port, run as `postgres.os_user` when Lifeboat runs as root (PostgreSQL refuses root).
// Logical drills initialise an empty one (initdb) and restore into it; snapshot drills restore a snapshot
// into its directory and start that. `remove()` stops the server and deletes the directory; it is safe to
// call more than once and from a signal handler's cleanup.
// Once the scratch directory belongs to the OS user, that user can rename or replace anything inside it, so root
// changes modes and owners only through open descriptors (DirectoryHandle), never by a path that could be swapped
// for a link to somewhere else.
import Foundation
import PGClient
import Storage
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

public final class ScratchCluster: @unchecked Sendable {
    // Immutable after init except `removed`, guarded by `lock` (the interruption handler may remove it too).
    public let directory: String
    public let port: Int
    /// The scratch directory, opened once right after it was made (still root's alone).
    private let scratch: DirectoryHandle
    let osUser: String?
    let tools: PostgresTools
    let environment: [String: String]
    private let lock = NSLock()
    private var removed = false
    /// Set by `start`: the server listens only on its Unix socket in the private directory.
    private var socketOnly = false

    /// The data directory inside the scratch directory (the scratch directory also holds the socket and log).
    public var dataDirectory: String { directory + "/data" }
    var logPath: String { directory + "/server.log" }

    /// Creates the private directory (0700, owned by the OS user) and picks a free port; starts nothing.
    public init(osUser: String?, tools: PostgresTools, environment: [String: String]) throws {
        var template = Array("/tmp/lifeboat-drill-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw DrillError.scratch(
                "cannot create a temporary directory under /tmp: \(String(cString: strerror(errno)))")
        }
        let made = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        directory = made
        // Before anything runs in it: a later drill removes it if this one is killed (AbandonedScratch).
        try? DurableFile.create(
            made + "/" + AbandonedScratch.ownerFile,
            with: Array((AbandonedScratch.ownerText + "\n").utf8), mode: 0o644)
        scratch = try Self.mapped { try DirectoryHandle.open(made) }
        self.osUser = osUser
        self.tools = tools
        self.environment = environment
        port = try Self.freePort()
        try own(scratch)
    }

    deinit { remove() }

    /// initdb with the connecting role as superuser and trust authentication. That is safe because `start`
    /// listens on no TCP port: only the socket in the 0700 directory, which only its owner (and root) can
    /// reach — the scratch server holds restored production data. (A password would not do: restoring the
    /// source's roles may set the superuser's password to the source's.)
    public func initialize(superuser: String) throws {
        let data = try Self.mapped { try scratch.makeNewSubdirectory("data", mode: 0o700) }
        try own(data)
        let initdb = try tools.path("initdb")
        try run(
            initdb,
            ["-D", dataDirectory, "-U", superuser, "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"],
            what: "initdb")
    }

    /// Starts the server initialised by `initialize` on its private socket only, and waits until it accepts connections.
    public func start() throws {
        let pgCtl = try tools.path("pg_ctl")
        let options = "-p \(port) -k '\(directory)' -c listen_addresses='' -c archive_mode=off"
        try run(
            pgCtl, ["-D", dataDirectory, "-l", logPath, "-o", options, "-w", "-t", "300", "start"], what: "pg_ctl start"
        )
        lock.lock()
        socketOnly = true
        lock.unlock()
    }

    /// A connection to the scratch server as `user`, database `database`.
    /// Through the private socket when this cluster was started by `start`, else (a restored snapshot started
    /// by PhysicalRestore) through 127.0.0.1, where the source's own pg_hba.conf and roles apply.
    public func connection(user: String, database: String) throws -> ConnectionInfo {
        lock.lock()
        let viaSocket = socketOnly
        lock.unlock()
        return try ConnectionInfo("postgresql://127.0.0.1:\(port)/\(database)").withParameter("user", user)
            .withParameter("host", viaSocket ? directory : "127.0.0.1")
    }

    /// `--keep`: the server and directory stay after this process exits (deinit leaves them), and the owner file
    /// says so, so a later drill's sweep leaves them too.
    public func keepAfterExit() {
        lock.lock()
        defer { lock.unlock() }
        removed = true
        let path = directory + "/" + AbandonedScratch.ownerFile
        unlink(path)
        try? DurableFile.create(path, with: Array((AbandonedScratch.keptText + "\n").utf8), mode: 0o644)
    }

    /// Stops the server (immediately: its data is thrown away) and deletes the directory.
    public func remove() {
        lock.lock()
        defer { lock.unlock() }
        guard !removed else { return }
        removed = true
        if FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid"),
            let pgCtl = try? tools.path("pg_ctl")
        {
            _ = try? run(pgCtl, ["-D", dataDirectory, "-m", "immediate", "-w", "stop"], what: "pg_ctl stop")
        }
        // Through descriptors: the directory belongs to the server's OS user, who must not redirect root's deletes.
        if let slash = directory.lastIndex(of: "/"), let parent = try? DirectoryHandle.open(String(directory[..<slash]))
        {
            try? parent.remove(String(directory[directory.index(after: slash)...]))
        }
    }

    public var description: String {
        lock.lock()
        defer { lock.unlock() }
        return socketOnly
            ? "scratch cluster on socket \(directory)/.s.PGSQL.\(port)"
            : "scratch cluster on 127.0.0.1:\(port) in \(directory)"
    }

    // MARK: - helpers

    /// Mode 0700 and, when there is an OS user, owned by it (PostgreSQL insists on both for its data directory),
    /// set through the directory's descriptor.
    func own(_ directory: DirectoryHandle) throws {
        try Self.mapped { try directory.setMode(0o700) }
        guard let user = osUser else { return }
        guard let entry = getpwnam(user) else {
            throw DrillError.scratch("OS user '\(user)' (postgres.os_user) does not exist")
        }
        try Self.mapped { try directory.setOwner(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid) }
    }

    /// A directory operation whose failure is the drill's scratch error.
    @discardableResult
    static func mapped<T>(_ operation: () throws -> T) throws -> T {
        do {
            return try operation()
        } catch let error as DirectoryError {
            throw DrillError.scratch(error.message)
        }
    }

    /// Runs a server tool, as the OS user when root, detached from our descriptors (pg_ctl leaves a daemon).
    @discardableResult
    func run(_ tool: String, _ arguments: [String], what: String) throws -> String {
        var executable = tool
        var argv = arguments
        if let user = osUser {
            executable =
                ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first {
                    FileManager.default.isExecutableFile(atPath: $0)
                } ?? "/usr/sbin/runuser"
            argv = ["-u", user, "--", tool] + arguments
        }
        let (status, output) = try DaemonLauncher.runDetaching(executable, argv, environment: environment)
        guard status == 0 else {
            let log =
                (try? String(contentsOfFile: logPath, encoding: .utf8)).map {
                    "\n" + $0.split(separator: "\n").suffix(10).joined(separator: "\n")
                } ?? ""
            throw DrillError.scratch("\(what) failed with status \(status): \(output)\(log)")
        }
        return output
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DrillError.scratch("cannot open a socket to find a free port") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw DrillError.scratch("cannot find a free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
