// lifeboat show ID: one backup in detail: objects with sizes and checksums, databases with row counts, a snapshot's
// tablespaces, and an incremental's chain (every backup its restore reads, authenticated link by link).
import ArgumentParser
import Engine
import Foundation

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one backup (an id, or 'latest').")

    @OptionGroup var options: GlobalOptions
    @Argument(help: "Backup id or 'latest'.") var id: String

    func run() throws {
        let context = try CommandContext(options, command: "show")
        let catalog = try context.catalog()
        let manifest = try catalog.resolve(id)
        if options.json {
            Output.printJSON(manifest)
            return
        }
        let classes = try catalog.storageClasses()[manifest.id] ?? [:]
        let pin = try catalog.effectivePin(manifest)
        let duration = Format.duration(manifest.finishedAt.timeIntervalSince(manifest.startedAt))
        var lines = [
            "backup      \(manifest.id) (\(manifest.kind.rawValue))\(manifest.label.map { ", label '\($0)'" } ?? "")",
            "cluster     \(manifest.cluster)",
            "type        \(Self.type(of: manifest))",
            "taken       \(Output.timestamp(manifest.startedAt)) → \(Output.timestamp(manifest.finishedAt)) (\(duration))",
            "server      PostgreSQL \(manifest.server.version), WAL \(manifest.server.startLsn) → \(manifest.server.stopLsn ?? "-")",
            "encryption  \(manifest.encryption.algorithm), data key \(manifest.encryption.keyId)",
            "compression \(manifest.compression.algorithm) level \(manifest.compression.level)",
            "size        \(Format.bytes(manifest.contentBytes)) dumped, \(Format.bytes(manifest.storedBytes)) stored",
            "retention   \(pin.pinned ? "pinned" : pin.keepUntil.map { "keep until \(Output.timestamp($0))" } ?? "per policy")",
            "globals     \(manifest.globals?.object ?? manifest.globals?.note ?? "not recorded")",
            "",
        ]
        lines.append(
            Output.table(
                [["OBJECT", "STORED", "CONTENT", "CLASS", "SHA256"]]
                    + manifest.objects.map {
                        [
                            $0.name, Format.bytes($0.storedSize), Format.bytes($0.contentSize),
                            classes[$0.name] ?? "MISSING", $0.sha256,
                        ]
                    }))
        if let tablespaces = manifest.snapshot?.tablespaces, !tablespaces.isEmpty {
            lines.append("\ntablespaces (restore elsewhere with --tablespace-map OID=NEW_DIR):")
            lines.append(
                Output.table(
                    [["OID", "LOCATION ON THE SOURCE", "SIZE", "OBJECT"]]
                        + tablespaces.map { [String($0.oid), $0.location, Format.bytes($0.size), $0.object] }))
        }
        lines += Self.chainLines(manifest, catalog: catalog)
        for database in manifest.databases {
            lines.append("\ndatabase '\(database.name)': \(database.tables.count) tables, \(database.totalRows) rows")
            lines.append(
                Output.table([["TABLE", "ROWS"]] + database.tables.map { [$0.qualifiedName, String($0.rows)] }))
        }
        context.say(lines.joined(separator: "\n"))
    }

    static func type(of manifest: BackupManifest) -> String {
        let origin = manifest.snapshot?.fromStandby == true ? ", read from a standby" : ""
        guard let link = manifest.incremental else { return "full" + origin }
        return "incremental (\(link.method.rawValue)) of \(link.parent), chain of \(link.chain.count + 1) backups"
            + origin
    }

    /// An incremental's chain, newest first, as a restore reads it; or why it cannot be restored.
    static func chainLines(_ manifest: BackupManifest, catalog: BackupCatalog) -> [String] {
        guard manifest.isIncremental else { return [] }
        let chain: BackupChain
        do {
            chain = try BackupChain.resolve(manifest, catalog: catalog)
        } catch {
            let recorded = manifest.incremental.map { ([manifest.id] + $0.chain.reversed()).map(\.rawValue) } ?? []
            return [
                "\nchain: NOT RESTORABLE: \(ProblemText.of(error))",
                "recorded chain, newest first: " + recorded.joined(separator: " ← "),
            ]
        }
        let rows = chain.links.map { link in
            [
                link.id.rawValue, link.isIncremental ? "incremental" : "full", Output.timestamp(link.finishedAt),
                Format.bytes(link.storedBytes),
            ]
        }
        return ["\nchain (a restore reads these \(chain.length) backups, newest first; every link authenticated):"]
            + [Output.table([["ID", "TYPE", "FINISHED", "STORED"]] + rows)]
    }
}
