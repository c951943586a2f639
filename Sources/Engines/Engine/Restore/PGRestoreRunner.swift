// PGRestoreRunner: feeds a dump to pg_restore, streamed through stdin (one job, single transaction: a failure
// leaves the target as it was) or from a private spool file (parallel jobs). The spool directory is created
// mode 0700 and removed afterwards, also on failure and interrupt.
import Catalog
import Foundation
import PGClient
import SystemIO

struct PGRestoreRunner {
    let context: EngineContext
    let tools: PostgresTools
    let target: ConnectionInfo
    let request: LogicalRestoreRequest
    let label: String

    func arguments(jobs: Int) -> [String] {
        var arguments = ["--no-password", "--exit-on-error", PostgresTools.databaseArgument(target)]
        if request.clean { arguments += ["--clean", "--if-exists"] }
        if request.noOwner { arguments += ["--no-owner", "--no-privileges"] }
        arguments += jobs > 1 ? ["--jobs=\(jobs)"] : ["--single-transaction"]
        return arguments
    }

    func restoreStreaming(source: ObjectSource, object: String, dumpBytes: Int64) throws {
        let child = try makeChild(arguments: arguments(jobs: 1), stdin: true)
        try child.start()
        let token = Interruption.shared.register { child.terminate() }
        defer { Interruption.shared.unregister(token) }
        context.progress.begin("restore \(label)", total: dumpBytes)
        var accepted = true
        do {
            try source.streamEntry(object, entryName: RepositoryLayout.dumpEntryName) { bytes in
                // pg_restore may stop reading on an error; keep draining so integrity is still checked.
                if accepted { accepted = child.writeStdin(bytes) }
                context.progress.advance(by: bytes.count)
            }
        } catch {
            context.progress.end()
            child.terminate()
            _ = child.wait()
            throw error
        }
        context.progress.begin("restore \(label): pg_restore is building indexes and constraints")
        defer { context.progress.end() }
        try finish(child)
    }

    /// Decrypts the dump into a new private directory (0700) and file (0600); authenticated when this returns.
    func spool(source: ObjectSource, object: String, dumpBytes: Int64) throws -> SpoolFile {
        let base = request.spoolDirectory ?? context.environment["TMPDIR"] ?? "/tmp"
        var template = Array((base + "/lifeboat-restore-XXXXXX").utf8CString)
        guard
            let directory = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({
                String(cString: $0)
            })
        else {
            throw EngineError.invalidArgument(
                "cannot create a spool directory in '\(base)'", hint: "pass --spool-dir DIR with free space")
        }
        let spool = SpoolFile(directory: directory)
        spool.token = Interruption.shared.register { [directory] in
            try? FileManager.default.removeItem(atPath: directory)
        }
        do {
            try write(source: source, object: object, to: spool.path, dumpBytes: dumpBytes)
        } catch {
            spool.remove()
            throw error
        }
        return spool
    }

    func restore(from spool: SpoolFile) throws {
        let child = try makeChild(arguments: arguments(jobs: request.jobs) + [spool.path], stdin: false)
        try child.start()
        let token = Interruption.shared.register { child.terminate() }
        defer { Interruption.shared.unregister(token) }
        context.progress.begin("restore \(label): pg_restore --jobs \(request.jobs)")
        defer { context.progress.end() }
        try finish(child)
    }

    private func write(source: ObjectSource, object: String, to file: String, dumpBytes: Int64) throws {
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.open(file, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        } catch let error as SystemError {
            throw EngineError.invalidArgument("cannot create spool file '\(file)': \(error.reason)", hint: nil)
        }
        defer { fd.close() }
        context.progress.begin("decrypt \(label)", total: dumpBytes)
        defer { context.progress.end() }
        try source.streamEntry(object, entryName: RepositoryLayout.dumpEntryName) { bytes in
            do {
                try fd.writeAll(bytes, path: file)
            } catch let error as SystemError {
                throw EngineError.invalidArgument(
                    "writing spool file '\(file)' failed: \(error.reason)",
                    hint: "pass --spool-dir DIR with enough free space, or restore with --jobs 1")
            }
            context.progress.advance(by: bytes.count)
        }
    }

    private func makeChild(arguments: [String], stdin: Bool) throws -> ChildProcess {
        ChildProcess(
            executable: try tools.path("pg_restore"), arguments: arguments,
            environment: tools.childEnvironment(for: target),
            captureStdout: false, provideStdin: stdin)
    }

    private func finish(_ child: ChildProcess) throws {
        let status = child.wait()
        guard status == 0 else {
            throw EngineError.restoreFailed(
                database: target.database ?? label, status: status, stderr: child.stderrTail)
        }
    }
}

/// A decrypted dump on local disk; removed after the restore, on failure and on interrupt.
final class SpoolFile: @unchecked Sendable {
    // `token` is set once right after creation, before any other thread can see the object.
    let directory: String
    var token: Int?
    var path: String { directory + "/dump.custom" }

    init(directory: String) { self.directory = directory }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
        if let token { Interruption.shared.unregister(token) }
        token = nil
    }
}
