// PGRestoreRunner: feeds a dump to pg_restore: a custom-format dump streamed through stdin (one job, single
// transaction: a failure leaves the target as it was), a directory-format dump through the pipes of a
// DumpDirectoryFeed (one job in a single transaction, or parallel workers). Nothing of the dump's data is written
// to local disk.
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

    /// Runs pg_restore on a directory-format dump presented by `feed` (one job in a single transaction, or
    /// `jobs` workers), feeding its pipes from the repository as pg_restore opens them. Damaged data stops
    /// pg_restore before it reads the end of the damaged file and is the error reported.
    func restoreDirectory(_ feed: DumpDirectoryFeed, jobs: Int, dumpBytes: Int64) throws {
        let child = try makeChild(
            arguments: arguments(jobs: jobs) + ["--format=directory", feed.directory], stdin: false)
        try child.start()
        // SIGKILL, to the whole group: no worker may read on to the end of a pipe once the restore is stopped.
        let token = Interruption.shared.register { child.signalTree(SIGKILL) }
        defer { Interruption.shared.unregister(token) }
        let guardian: FeedGuard
        do {
            guardian = try FeedGuard(environment: context.toolEnvironment)
            try guardian.watch(group: child.processIdentifier)
        } catch {
            child.signalTree(SIGKILL)
            _ = child.wait()
            throw error
        }
        feed.start(streams: 2 * jobs + 1, guardian: guardian) { child.signalTree(SIGKILL) }
        context.progress.begin("restore \(label): pg_restore --jobs \(jobs), fed from the repository")
        defer { context.progress.end() }
        let status = child.wait()
        // Feeders still writing must see that nobody reads any more (EPIPE), not block on the guard's holds.
        try? guardian.releaseAll()
        let (damage, brokenPipe) = feed.finish()
        guardian.end()
        if let damage { throw damage }
        guard status == 0 else {
            throw EngineError.restoreFailed(
                database: target.database ?? label, status: status, stderr: child.stderrTail)
        }
        if let brokenPipe { throw brokenPipe }
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
