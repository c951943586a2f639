// lifeboat list: the complete backups of the configured cluster.
import ArgumentParser
import Catalog
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

    init(_ manifest: BackupManifest, storageClasses: [String: String]) {
        id = manifest.id.rawValue
        kind = manifest.kind.rawValue
        label = manifest.label
        startedAt = manifest.startedAt
        finishedAt = manifest.finishedAt
        databases = manifest.databases.map(\.name)
        dumpBytes = manifest.contentBytes
        storedBytes = manifest.storedBytes
        pinned = manifest.pinned
        keepUntil = manifest.keepUntil
        serverVersion = manifest.server.version
        keyId = manifest.encryption.keyId
        self.storageClasses = storageClasses
    }

    /// The distinct classes of the data objects, for a table column.
    var dataTier: String {
        let classes = Set(storageClasses.filter { $0.key != "manifest.lbx" }.values)
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
    }

    func run() throws {
        let context = try CommandContext(options, command: "list")
        let catalog = try context.catalog()
        let classes = try catalog.storageClasses()
        let backups = try catalog.manifests().map { BackupSummary($0, storageClasses: classes[$0.id] ?? [:]) }
        try context.emitJSON(Listing(cluster: context.config.cluster, repository: catalog.repository.location, backups: backups))
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
}
