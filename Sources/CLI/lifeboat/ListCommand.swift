// lifeboat list: the complete backups of the configured cluster.
import ArgumentParser
import Engine
import Foundation

struct BackupSummary: Codable {
    var id: String
    var kind: String
    var label: String?
    var startedAt: Date
    var finishedAt: Date
    var databases: [String]
    var dumpBytes: Int64
    var storedBytes: Int64
    var pinned: Bool
    var keepUntil: Date?
    var serverVersion: String
    var keyId: String
    /// Object name → storage class ("local" on a file repository); the manifest object included.
    var storageClasses: [String: String]

    init(_ manifest: BackupManifest, storageClasses: [String: String], pin: EffectivePin) {
        id = manifest.id.rawValue
        kind = manifest.kind.rawValue
        label = manifest.label
        startedAt = manifest.startedAt
        finishedAt = manifest.finishedAt
        databases = manifest.databases.map(\.name)
        dumpBytes = manifest.contentBytes
        storedBytes = manifest.storedBytes
        pinned = pin.pinned
        keepUntil = pin.keepUntil
        serverVersion = manifest.server.version
        keyId = manifest.encryption.keyId
        self.storageClasses = storageClasses
    }

    /// The distinct classes of the data objects, for a table column.
    var dataTier: String {
        let classes = Set(storageClasses.filter { $0.key != RepositoryLayout.manifestName && $0.key != RepositoryLayout.pinRecordName }.values)
        return classes.isEmpty ? "-" : classes.sorted().joined(separator: ",")
    }
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the complete backups of the cluster.")

    @OptionGroup var options: GlobalOptions

    struct Listing: Codable {
        var cluster: String
        var repository: String
        var backups: [BackupSummary]
        /// The window reaching the newest recoverable point; absent without a WAL archive or a restorable snapshot.
        var recoveryWindow: RecoverableWindow?
        /// Every window, oldest end first (a gap in the WAL ends one; a restorable snapshot after it starts the next).
        var recoveryWindows: [RecoverableWindow]?
        var walGaps: [WALSegmentRange]?
        var unrestorableSnapshots: [UnrestorableSnapshot]?
    }

    func run() throws {
        let context = try CommandContext(options, command: "list")
        let catalog = try context.catalog()
        let classes = try catalog.storageClasses()
        let manifests = try catalog.manifests()
        let backups = try manifests.map { manifest in
            let objects = classes[manifest.id] ?? [:]
            let pin = objects[RepositoryLayout.pinRecordName] == nil ? EffectivePin(manifest: manifest, record: nil) : try catalog.effectivePin(manifest)
            return BackupSummary(manifest, storageClasses: objects, pin: pin)
        }
        let wal = try WALInventoryReader(context: context.engine, repository: catalog.repository, keyring: catalog.keyring)
            .inventory(manifests: manifests)
        var listing = Listing(cluster: context.config.cluster, repository: catalog.repository.location, backups: backups)
        if !wal.isEmpty {   // logical-only clusters have no WAL archive and get no WAL keys
            listing.recoveryWindow = wal.report.newestWindow
            listing.recoveryWindows = wal.report.windows
            listing.walGaps = wal.report.gaps
            listing.unrestorableSnapshots = wal.report.unrestorableSnapshots
        }
        try context.emitJSON(listing)
        defer { if !wal.isEmpty { context.say(Self.walLines(wal).joined(separator: "\n")) } }
        guard !backups.isEmpty else {
            context.say("no complete backups of cluster '\(context.config.cluster)' in \(catalog.repository.location)")
            return
        }
        var rows = [["ID", "TYPE", "FINISHED", "DURATION", "DATABASES", "DUMPED", "STORED", "TIER", "KEEP", "LABEL"]]
        for backup in backups {
            let keep = backup.pinned ? "pinned" : backup.keepUntil.map { "until " + Output.timestamp($0).prefix(10) } ?? ""
            rows.append([backup.id, backup.kind, Output.timestamp(backup.finishedAt),
                         Format.duration(backup.finishedAt.timeIntervalSince(backup.startedAt)),
                         backup.databases.joined(separator: ","), Format.bytes(backup.dumpBytes), Format.bytes(backup.storedBytes),
                         backup.dataTier, keep, backup.label ?? ""])
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
