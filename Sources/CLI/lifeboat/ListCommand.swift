// lifeboat list: the complete backups of the configured cluster (CatalogListing reads them) and the WAL archive's
// recoverable windows.
import ArgumentParser
import Engine
import Foundation

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the complete backups of the cluster.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let context = try CommandContext(options, command: "list")
        let result = try CatalogListing(context: context.engine, catalog: try context.catalog()).run()
        let listing = result.listing, wal = result.wal, backups = listing.backups
        try context.emitJSON(listing)
        defer { if !wal.isEmpty { context.say(Self.walLines(wal).joined(separator: "\n")) } }
        guard !backups.isEmpty else {
            context.say("no complete backups of cluster '\(context.config.cluster)' in \(listing.repository)")
            return
        }
        var rows = [["ID", "TYPE", "FINISHED", "DURATION", "DATABASES", "DUMPED", "STORED", "TIER", "KEEP", "LABEL"]]
        for backup in backups {
            let keep = backup.pinned ? "pinned" : backup.keepUntil.map { "until " + Output.timestamp($0).prefix(10) } ?? ""
            rows.append([backup.id, backup.kind, Output.timestamp(backup.finishedAt),
                         Format.duration(backup.finishedAt.timeIntervalSince(backup.startedAt)),
                         backup.databases.joined(separator: ","), Format.bytes(backup.dumpBytes),
                         Format.bytes(backup.storedBytes), backup.dataTier, keep, backup.label ?? ""])
        }
        context.say(Output.table(rows))
    }

    /// The recoverable windows, the gaps and the snapshots that cannot be restored, one line each.
    static func walLines(_ wal: WALInventory) -> [String] {
        var lines = [""]
        let windows = wal.report.windows
        if windows.isEmpty { lines.append("recoverable window: none (no snapshot with all of its WAL archived)") }
        for window in windows {
            lines.append("recoverable window: \(Output.timestamp(window.fromTime)) → \(Output.timestamp(window.toTime)) "
                + "(timeline \(window.timeline), from \(window.fromBackup), WAL through \(window.toWal))")
        }
        for gap in wal.report.gaps {
            lines.append("WAL gap on timeline \(gap.timeline): \(gap.first) … \(gap.last) (\(gap.segments) segment\(gap.segments == 1 ? "" : "s"))")
        }
        for snapshot in wal.report.unrestorableSnapshots {
            let missing = snapshot.missing.map { $0.first == $0.last ? $0.first : "\($0.first) … \($0.last)" }.joined(separator: ", ")
            lines.append("not restorable: \(snapshot.backup): " + (snapshot.problem ?? "its WAL \(missing) is not archived"))
        }
        for orphan in wal.recordsWithoutObject {
            lines.append("WAL record without its object: \(orphan) (run 'lifeboat verify --wal')")
        }
        return lines
    }
}
