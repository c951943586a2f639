// ToolStream: runs a PostgreSQL tool (pg_dump, pg_dumpall) and streams its stdout as one pieced
// tar entry (docs/format.md §6.2) into one sealed object. Used by logical backups.
// A failing tool, or a failure anywhere on the way, aborts the object: nothing of it stays in the repository.
import ArchiveIO
import Catalog
import Diagnostics
import Foundation
import Pipeline
import Storage

struct ToolStream {
    let context: EngineContext
    let repository: Repository
    let keyring: Keyring
    let compression: ArchiveCompression
    let compressionThreads: Int

    /// Starts `child`, pumps its stdout into `objectName` as the pieced stream `entryName`, then lets `finish`
    /// wait for the child and judge it (throwing aborts the object). `finish` defaults to "exit status 0".
    /// `observe` sees every chunk of the stream on its way (e.g. to read a header of it).
    @discardableResult
    func run(
        _ child: ChildProcess, toolName: String, label: String, objectName: String, entryName: String, id: BackupID,
        written: WrittenObjects, observe: ((UnsafeRawBufferPointer) -> Void)? = nil,
        finish: ((ChildProcess) throws -> Void)? = nil
    ) throws -> CommittedObject {
        let writer = try repository.beginBackupObject(
            objectName, of: id, context: context, keyring: keyring, compression: compression,
            threads: compressionThreads, written: written)
        defer { written.inFlight = nil }
        let childToken = Interruption.shared.register { child.terminate() }
        defer { Interruption.shared.unregister(childToken) }
        do {
            try child.start()
            context.progress.begin("\(toolName) \(label)")
            try pump(child, into: PiecedEntryWriter(writer: writer.tar, baseName: entryName), observe: observe)
            context.progress.end()
            if let finish {
                try finish(child)
            } else {
                let status = child.wait()
                guard status == 0 else {
                    throw EngineError.dumpFailed(
                        tool: toolName, database: label, status: status, stderr: child.stderrTail)
                }
            }
            let object = try written.commit(writer)
            try Failpoint.hit("backup.object.after")
            return object
        } catch {
            context.progress.end()
            child.terminate()
            _ = child.wait()
            writer.abort(error)
            throw error
        }
    }

    private func pump(
        _ child: ChildProcess, into pieces: PiecedEntryWriter, observe: ((UnsafeRawBufferPointer) -> Void)?
    ) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try child.readStdout(into: $0) }
            if count == 0 { break }
            try buffer.withUnsafeBytes { bytes in
                let chunk = UnsafeRawBufferPointer(rebasing: bytes[0..<count])
                observe?(chunk)
                try pieces.write(chunk)
            }
            context.progress.advance(by: count)
        }
        _ = try pieces.finish()
    }
}
