// lifeboat list: the complete backups of the configured cluster (CatalogListing reads them) and the WAL archive's
// recoverable windows; with --all-clusters, the same for every cluster in the repository (FleetListing), grouped
// per cluster.
import ArgumentParser
import Engine
import Foundation

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the complete backups of the cluster.")

    @OptionGroup var options: GlobalOptions
    @Flag(name: .long, help: "Every cluster in the repository, grouped per cluster (not just the configured one).")
    var allClusters = false

    func run() throws {
        let context = try CommandContext(options, command: "list")
        guard !allClusters else { return try runFleet(context) }
        let result = try CatalogListing(context: context.engine, catalog: try context.catalog()).run()
        let listing = result.listing
        let wal = result.wal
        let backups = listing.backups
        try context.emitJSON(listing)
        defer { if !wal.isEmpty { context.say(Self.walLines(wal).joined(separator: "\n")) } }
        guard !backups.isEmpty else {
            context.say("no complete backups of cluster '\(context.config.cluster)' in \(listing.repository)")
            return
        }
        context.say(Output.table(Self.rows(backups)))
        let broken = Self.chainLines(backups)
        if !broken.isEmpty { context.say(broken.joined(separator: "\n")) }
    }

    /// The header and one row per backup. With incrementals in the list, TYPE says "incremental" and two columns
    /// show each chain: how many backups a restore reads, and the parent.
    static func rows(_ backups: [BackupSummary]) -> [[String]] {
        let chains = backups.contains { $0.parent != nil }
        var header = ["ID", "TYPE", "FINISHED", "DURATION", "DATABASES", "DUMPED", "STORED", "TIER", "KEEP", "LABEL"]
        if chains { header.insert(contentsOf: ["CHAIN", "PARENT"], at: 2) }
        var rows = [header]
        for backup in backups {
            let keep =
                backup.pinned ? "pinned" : backup.keepUntil.map { "until " + Output.timestamp($0).prefix(10) } ?? ""
            var row = [
                backup.id, backup.parent == nil ? backup.kind : backup.type, Output.timestamp(backup.finishedAt),
                Format.duration(backup.finishedAt.timeIntervalSince(backup.startedAt)),
                backup.databases.joined(separator: ","), Format.bytes(backup.dumpBytes),
                Format.bytes(backup.storedBytes), backup.dataTier, keep, backup.label ?? "",
            ]
            if chains {
                let length = backup.chainBroken == nil ? String(backup.chainLength) : "BROKEN"
                row.insert(contentsOf: [length, backup.parent ?? "-"], at: 2)
            }
            rows.append(row)
        }
        return rows
    }

    /// One line per incremental whose chain does not hold: it is listed, but nothing restores it.
    static func chainLines(_ backups: [BackupSummary]) -> [String] {
        backups.compactMap { backup in
            backup.chainBroken.map {
                "not restorable: \(backup.id): its chain is broken: \($0) (run 'lifeboat verify \(backup.id)')"
            }
        }
    }

    func runFleet(_ context: CommandContext) throws {
        let (repository, keyring) = try context.unlockedRepository()
        let result = try FleetListing(context: context.engine, repository: repository, keyring: keyring).run()
        try context.emitJSON(result.listing)
        guard !result.clusters.isEmpty else {
            context.say("no clusters in \(result.listing.repository)")
            return
        }
        let sections = result.clusters.map { cluster -> String in
            let listing = cluster.listing
            let count = listing.backups.count
            var lines = ["cluster '\(listing.cluster)': \(count) complete backup\(count == 1 ? "" : "s")"]
            if count > 0 { lines.append(Output.table(Self.rows(listing.backups))) }
            lines += Self.chainLines(listing.backups)
            if !cluster.wal.isEmpty { lines += Self.walLines(cluster.wal) }
            return lines.joined(separator: "\n")
        }
        context.say(sections.joined(separator: "\n\n"))
    }

    /// The recoverable windows, the gaps, the snapshots that cannot be restored and the receiver's partial segments,
    /// one line each.
    static func walLines(_ wal: WALInventory) -> [String] {
        var lines = [""]
        let windows = wal.report.windows
        if windows.isEmpty { lines.append("recoverable window: none (no snapshot with all of its WAL archived)") }
        for window in windows {
            lines.append(
                "recoverable window: \(Output.timestamp(window.fromTime)) → \(Output.timestamp(window.toTime)) "
                    + "(timeline \(window.timeline), from \(window.fromBackup), WAL through \(window.toWal))")
        }
        for gap in wal.report.gaps {
            lines.append(
                "WAL gap on timeline \(gap.timeline): \(gap.first) … \(gap.last) (\(gap.segments) segment\(gap.segments == 1 ? "" : "s"))"
            )
        }
        for snapshot in wal.report.unrestorableSnapshots {
            let missing = snapshot.missing.map { $0.first == $0.last ? $0.first : "\($0.first) … \($0.last)" }.joined(
                separator: ", ")
            lines.append(
                "not restorable: \(snapshot.backup): " + (snapshot.problem ?? "its WAL \(missing) is not archived"))
        }
        for orphan in wal.recordsWithoutObject {
            lines.append("WAL record without its object: \(orphan) (run 'lifeboat verify --wal')")
        }
        // The receiver's partials: not archived files, but a restore replays the newest one after the archive.
        for partial in wal.partials {
            lines.append(
                "partial segment (wal receive): \(partial), replayed after the archived WAL until it is archived")
        }
        return lines
    }
}
