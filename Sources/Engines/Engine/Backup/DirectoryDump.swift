// DirectoryDump: one database dumped by `pg_dump --format=directory --jobs N` from the exported snapshot into a
// private local directory, while N + 1 uploaders read each file as pg_dump writes it, stream it as a pieced entry
// into its own sealed object, free what they read (hole punching) and delete the file once stored. Local disk
// therefore holds only what pg_dump wrote and nobody read yet; when that passes `unreadLimit` pg_dump is stopped
// (SIGSTOP) until the uploaders have caught up to half of it. `toc.dat`, written last, goes into the database's
// main object. Why N + 1 uploaders: pg_dump's N workers write at most N files at a time, so at least one uploader
// is always free for finished files and a stopped pg_dump is always resumed.
import ArchiveIO
import Catalog
import Diagnostics
import Foundation
import Pipeline
import Storage
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

final class DirectoryDump: @unchecked Sendable {
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring
    let compression: ArchiveCompression
    let jobs: Int
    /// The database's position in the manifest (object names).
    let index: Int
    let id: BackupID
    let written: WrittenObjects
    let label: String
    private let queue = DumpFileQueue()

    /// pg_dump is stopped while more than this many bytes it wrote are unread. LIFEBOAT_DUMP_UNREAD_LIMIT (bytes)
    /// overrides, for tests and measurements.
    static let unreadLimit =
        Int64(ProcessInfo.processInfo.environment["LIFEBOAT_DUMP_UNREAD_LIMIT"] ?? "").map { max($0, 1 << 16) }
        ?? 64 << 20
    /// The prefix of the private directories; `<pid>` lets a later run remove those a killed run left.
    static let directoryPrefix = "lifeboat-dump-"

    init(
        context: EngineContext, repository: Repository, keyring: Keyring, compression: ArchiveCompression,
        jobs: Int, index: Int, id: BackupID, written: WrittenObjects, label: String
    ) {
        self.context = context
        self.repository = repository
        self.keyring = keyring
        self.compression = compression
        self.jobs = jobs
        self.index = index
        self.id = id
        self.written = written
        self.label = label
    }

    /// Runs pg_dump (its arguments without --format, --jobs and --file) and stores everything it writes: `toc.dat`
    /// in the database's main object, every other file in its own. Returns those files.
    func run(pgDump: String, arguments: [String], environment: [String: String]) throws -> [DumpFileRecord] {
        let base = context.environment["TMPDIR"] ?? "/tmp"
        let privateDirectory = try PrivateWorkDirectory.make(prefix: Self.directoryPrefix, in: base, purpose: "pg_dump")
        let directory = privateDirectory + "/dump"
        let removal = Interruption.shared.register { try? FileManager.default.removeItem(atPath: privateDirectory) }
        defer {
            try? FileManager.default.removeItem(atPath: privateDirectory)
            Interruption.shared.unregister(removal)
        }
        // pg_dump accepts an empty directory: created (and watched) first, so no file escapes the watch.
        guard mkdir(directory, 0o700) == 0 else { throw SystemError("mkdir", path: directory) }
        let watch = try DirectoryWatch(directory)
        let child = Self.launcher(
            pgDump,
            arguments: ["--format=directory", "--jobs=\(jobs)", "--compress=0", "--file=\(directory)"] + arguments,
            environment: environment)
        let stop = Interruption.shared.register { child.signalTree(SIGTERM, then: SIGCONT) }
        defer { Interruption.shared.unregister(stop) }
        try child.start()
        let uploaders = (0...jobs).map { number in
            BackgroundTask(name: "lifeboat-dump-upload-\(number)") { [self] in uploadLoop(directory: directory) }
        }
        context.progress.begin("pg_dump --jobs \(jobs) \(label)")
        let status = watchUntilExit(child, watch: watch, directory: directory)
        context.progress.end()
        queue.end()
        for uploader in uploaders { try? uploader.join() }
        if let failure = queue.failure { throw failure }
        guard status == 0 else {
            throw EngineError.dumpFailed(tool: "pg_dump", database: label, status: status, stderr: child.stderrTail)
        }
        guard queue.leftovers.isEmpty else {
            throw EngineError.invalidArgument(
                "pg_dump's files \(queue.leftovers.joined(separator: ", ")) of '\(label)' were not stored",
                hint: "run the backup again; if it repeats, back up with --jobs 1")
        }
        try storeTOC(directory: directory)
        return queue.storedRecords
    }

    /// Follows pg_dump's directory until pg_dump exits (or a failure stops it); returns its exit status.
    private func watchUntilExit(_ child: ChildProcess, watch: DirectoryWatch, directory: String) -> Int32 {
        var paused = false
        var reported: Int64 = 0
        while true {
            let running = child.isRunning
            do {
                for change in try watch.changes(timeoutMilliseconds: running ? 10 : 0) { handle(change) }
            } catch {
                queue.fail(error)
            }
            if queue.failure != nil {
                child.signalTree(SIGTERM, then: SIGCONT)
                return child.wait()
            }
            let unread = queue.unread { fileSize(atPath: directory + "/" + $0) ?? 0 }
            if !paused && unread > Self.unreadLimit {
                child.signalTree(SIGSTOP)
                paused = true
            } else if paused && unread <= Self.unreadLimit / 2 {
                child.signalTree(SIGCONT)
                paused = false
            }
            let total = queue.storedRecords.reduce(0) { $0 + $1.size }
            if total > reported {
                context.progress.advance(by: Int(total - reported))
                reported = total
            }
            if !running { return child.wait() }
        }
    }

    private func handle(_ change: DirectoryWatch.Change) {
        switch change {
        case .created(let name) where name == RepositoryLayout.directoryTOCEntryName:
            break
        case .created(let name):
            guard DumpFileRecord.isDataFileName(name) else {
                queue.fail(
                    EngineError.invalidArgument(
                        "pg_dump wrote '\(name)', which lifeboat does not know how to store",
                        hint: "back up with --jobs 1 (one stream in custom format)"))
                return
            }
            queue.created(name)
        case .closedAfterWrite(let name):
            queue.closed(name)
        }
    }

    private func uploadLoop(directory: String) {
        while let name = queue.next() {
            do {
                try store(name, directory: directory)
            } catch {
                queue.fail(error)
                return
            }
        }
    }

    /// Reads `name` from its start while pg_dump may still be writing it, into its own object; frees what was
    /// read; deletes the file once the object is stored.
    private func store(_ name: String, directory: String) throws {
        try Failpoint.hit("backup.part.before")
        let path = directory + "/" + name
        // Read-write: freeing what was read (hole punching) needs a descriptor open for writing.
        let fd = try FileDescriptor.open(path, O_RDWR)
        defer { fd.close() }
        let objectName = RepositoryLayout.databaseFileObjectName(
            index: index, file: name, compressed: compression == .zstd)
        let writer = try repository.beginBackupObject(
            objectName, of: id, context: context, keyring: keyring, compression: compression, threads: 0,
            written: written)
        do {
            let size = try follow(
                fd, path: path, name: name, into: PiecedEntryWriter(writer: writer.tar, baseName: name))
            _ = try written.commit(writer)
            queue.stored(DumpFileRecord(name: name, object: objectName, size: size))
            unlink(path)
            try Failpoint.hit("backup.part.after")
        } catch {
            writer.abort(error)
            written.forget(writer)
            throw error
        }
    }

    /// Copies the file to `pieces` until pg_dump has closed it and every byte is read; returns its length.
    private func follow(_ fd: FileDescriptor, path: String, name: String, into pieces: PiecedEntryWriter) throws
        -> Int64
    {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: Int64 = 0
        var freed: Int64 = 0
        while true {
            // Asked before reading: a file closed before this read has all its bytes visible to it.
            let growing = queue.isBeingWritten(name)
            let count = try buffer.withUnsafeMutableBytes { try fd.read(into: $0, at: offset, path: path) }
            if count > 0 {
                try buffer.withUnsafeBytes { try pieces.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                offset += Int64(count)
                let whole = offset & ~4095
                if whole - freed >= 1 << 20, fd.punchHole(offset: freed, length: whole - freed) { freed = whole }
                queue.read(name, upTo: offset)
                continue
            }
            guard growing else { break }
            if let failure = queue.failure { throw failure }
            usleep(2000)
        }
        _ = try pieces.finish()
        return offset
    }

    /// `toc.dat`, complete once pg_dump exited 0, as the pieced stream `toc.dat` of the database's main object.
    private func storeTOC(directory: String) throws {
        let path = directory + "/" + RepositoryLayout.directoryTOCEntryName
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(path, O_RDONLY)
        } catch let error as SystemError {
            throw EngineError.invalidArgument(
                "pg_dump of '\(label)' exited without writing toc.dat (\(error.reason))",
                hint: "run the backup again; if it repeats, back up with --jobs 1")
        }
        defer { fd.close() }
        let objectName = RepositoryLayout.databaseObjectName(index: index, compressed: compression == .zstd)
        let writer = try repository.beginBackupObject(
            objectName, of: id, context: context, keyring: keyring, compression: compression, threads: 0,
            written: written)
        do {
            let pieces = PiecedEntryWriter(writer: writer.tar, baseName: RepositoryLayout.directoryTOCEntryName)
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let count = try buffer.withUnsafeMutableBytes { try fd.read(into: $0, path: path) }
                if count == 0 { break }
                try buffer.withUnsafeBytes { try pieces.write(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
            _ = try pieces.finish()
            _ = try written.commit(writer)
            try Failpoint.hit("backup.object.after")
        } catch {
            writer.abort(error)
            written.forget(writer)
            throw error
        }
    }

    /// pg_dump, run so that it dies with lifeboat (`setpriv --pdeathsig KILL`, util-linux): a killed backup must
    /// not leave pg_dump filling the local directory with plaintext. Without setpriv it runs directly.
    static func launcher(_ pgDump: String, arguments: [String], environment: [String: String]) -> ChildProcess {
        let setpriv = "/usr/bin/setpriv"
        guard FileManager.default.isExecutableFile(atPath: setpriv) else {
            return ChildProcess(
                executable: pgDump, arguments: arguments, environment: environment, captureStdout: false,
                provideStdin: false)
        }
        return ChildProcess(
            executable: setpriv, arguments: ["--pdeathsig", "KILL", "--", pgDump] + arguments,
            environment: environment, captureStdout: false, provideStdin: false)
    }
}
