// lifeboat wal push / wal get: PostgreSQL's archive_command and restore_command.
//   archive_command = 'lifeboat --config /etc/lifeboat/lifeboat.yml wal push %p'
//   restore_command = 'lifeboat --config /etc/lifeboat/lifeboat.yml wal get %f %p'
// Both are silent on success (their output lands in the server log once per file; --json prints a result,
// LIFEBOAT_LOG_LEVEL=info logs one line). `wal get` of a file that is not archived exits 1 with at most one
// info-level log line, because PostgreSQL probes for files that do not exist (history files, the next segment).
import ArgumentParser
import Catalog
import Engine
import Foundation

struct WALCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wal",
        abstract: "Archive and fetch WAL files (PostgreSQL's archive_command and restore_command).",
        subcommands: [Push.self, Get.self])

    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Archive one WAL file; re-pushing the identical file succeeds, a different one is refused.",
            discussion: "Use as archive_command = 'lifeboat --config FILE wal push %p'. Takes no lock: backups run concurrently.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "Path of the WAL file (PostgreSQL's %p, relative to the data directory).") var path: String

        func validate() throws {
            guard WALName(fileAt: path) != nil else {
                throw ValidationError("'\(path)' does not name a WAL file: expected a segment such as pg_wal/000000010000000000000003, "
                    + "a .partial segment, a .history or a .backup file")
            }
        }

        func run() throws {
            let context = try CommandContext(options, command: "wal push")
            let (repository, keyring) = try context.unlockedRepository()
            let result = try WALArchive(context: context.engine, repository: repository, keyring: keyring).push(path: path)
            try context.emitJSON(result)
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore one archived WAL file to DEST (atomically); exit 1 when it is not archived.",
            discussion: "Use as restore_command = 'lifeboat --config FILE wal get %f %p'. Damaged data is exit 4 and DEST is not created.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "WAL file name (PostgreSQL's %f).") var name: String
        @Argument(help: "Where to write it (PostgreSQL's %p).") var destination: String

        func validate() throws {
            guard WALName(name) != nil else {
                throw ValidationError("'\(name)' is not a WAL file name: expected e.g. 000000010000000000000003 or 00000002.history")
            }
        }

        func run() throws {
            let context = try CommandContext(options, command: "wal get")
            let (repository, keyring) = try context.unlockedRepository()
            do {
                let result = try WALArchive(context: context.engine, repository: repository, keyring: keyring)
                    .get(name: name, destination: destination)
                try context.emitJSON(result)
            } catch let missing as WALError {
                guard case .notArchived = missing else { throw missing }
                context.engine.logger.info("\(missing.message)")
                throw CommandOutcome(status: .failure)
            }
        }
    }
}
