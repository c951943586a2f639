// PhysicalRestore+Chain: restoring an incremental snapshot's chain in place (docs/format.md §6.5). The chain was
// resolved and authenticated link by link when the restore was planned (BackupChain). Here every backup is read
// newest first, each of its objects streamed once (ChainExtractor): the newest defines the files, each older one
// only fills blocks still missing, and an older object is not read at all once nothing more is needed from its
// directory. Nothing is staged: the target needs about the cluster's size.
//
// Integrity: the sealed reader releases a chunk only after its tag verified, so every byte applied is
// authenticated; each object's size and SHA-256 against the manifest are checked at the end of its stream, and
// any failure empties the directories (restoreFiles). Objects are not authenticated in a pass of their own first,
// as a full snapshot's are: that would download the chain twice.
//
// A killed chain restore must never leave a directory that looks restored: the newest backup's
// `global/pg_control` is held in memory and written only after every backup is applied (without it PostgreSQL
// refuses to start), then recovery.signal and the settings follow as for a full snapshot.
import ArchiveIO
import Catalog
import Diagnostics
import Pipeline
import Reconstruction
import Storage

#if canImport(Glibc)
import Glibc
#endif

extension PhysicalRestore {
    /// The objects of `manifest` a chain restore may read: its data directory's and the tablespaces the restore
    /// puts back (those of the newest backup).
    static func chainObjects(_ manifest: BackupManifest, tablespaces: [UInt32]) -> [String] {
        guard let snapshot = manifest.snapshot else { return [] }
        let spaces = (snapshot.tablespaces ?? []).filter { tablespaces.contains($0.oid) }.map(\.object)
        return spaces + [snapshot.object]
    }

    /// Applies every backup of the plan's chain to the directories, newest first, then writes pg_control.
    /// Returns what was read from and written for each backup, newest first.
    func extractChain(
        _ plan: PhysicalRestorePlan, root: DirectoryHandle, spaceRoots: [DirectoryHandle], extractor: Extractor
    ) throws -> [RestoredChainLink] {
        var table = ChainFileTable()
        var links: [RestoredChainLink] = []
        var control: (bytes: [UInt8], mode: mode_t)?
        for (index, manifest) in plan.chain.links.enumerated() {
            if index > 0 {
                try Failpoint.hit("restore.chain.link.before")
                table.beginBackup()
            }
            var link = RestoredChainLink(backup: manifest.id.rawValue)
            let held = try applyLink(
                manifest, newest: index == 0, plan: plan, roots: (root, spaceRoots), table: &table, link: &link)
            if index == 0 { control = held }
            extractor.add(files: index == 0 ? link.files : 0, bytes: link.bytesWritten)
            links.append(link)
        }
        try Failpoint.hit("restore.control.before")
        guard let control else {
            throw SnapshotError.unexpectedOutput("the snapshot has no 'global/pg_control'; it is not a base backup")
        }
        let file = try root.makeSubdirectory("global", mode: 0o700).createFile("pg_control", mode: 0o600)
        try file.write(control.bytes)
        try file.setMode(control.mode)
        return links
    }

    /// One backup of the chain: each tablespace the restore puts back, then the data directory. Returns the
    /// newest backup's pg_control.
    private func applyLink(
        _ manifest: BackupManifest, newest: Bool, plan: PhysicalRestorePlan,
        roots: (data: DirectoryHandle, spaces: [DirectoryHandle]), table: inout ChainFileTable,
        link: inout RestoredChainLink
    ) throws -> (bytes: [UInt8], mode: mode_t)? {
        guard let snapshot = manifest.snapshot else { throw SnapshotError.notASnapshot(manifest.id.rawValue) }
        let source = ObjectSource(
            repository: repository, keyring: keyring, cluster: context.config.cluster, manifest: manifest)
        let form = manifest.incremental.map { DeltaForm(method: $0.method) }
        for (space, spaceRoot) in zip(plan.summary.tablespaces ?? [], roots.spaces) {
            guard let record = snapshot.tablespaces?.first(where: { $0.oid == space.oid }) else { continue }
            let rootName = "tblspc-\(space.oid)"
            guard newest || table.remaining(root: rootName) > 0 else { continue }
            let extractor = ChainExtractor(
                root: spaceRoot, rootName: rootName, newest: newest, form: form, progress: context.progress)
            context.progress.begin("\(newest ? "extract" : "apply") \(manifest.id) tablespace \(space.oid)")
            try stream(source, object: record.object, entry: record.entry, into: extractor, table: &table)
            link.count(extractor, storedBytes: manifest.object(named: record.object)?.storedSize ?? 0)
        }
        guard newest || table.remaining(root: "base") > 0 else { return nil }
        let extractor = ChainExtractor(
            root: roots.data, rootName: "base", newest: newest, form: form, progress: context.progress,
            holdsControlFile: newest)
        context.progress.begin("\(newest ? "extract" : "apply") \(manifest.id) \(snapshot.object)")
        try stream(source, object: snapshot.object, entry: snapshot.entry, into: extractor, table: &table)
        link.count(extractor, storedBytes: manifest.object(named: snapshot.object)?.storedSize ?? 0)
        if newest { try Failpoint.hit("restore.chain.newest.after") }
        return extractor.heldControlFile
    }

    private func stream(
        _ source: ObjectSource, object: String, entry: String, into extractor: ChainExtractor,
        table: inout ChainFileTable
    ) throws {
        defer { context.progress.end() }
        do {
            try source.withEntryReader(object, entryName: entry) { read in
                try extractor.apply(try TarReader(input: read, allowDirectories: true), table: &table)
            }
        } catch let error as Reconstruction.DeltaError {
            throw error.located("object '\(try source.key(object).rawValue)'")
        }
    }
}

extension RestoredChainLink {
    init(backup: String) {
        self.backup = backup
    }

    mutating func count(_ extractor: ChainExtractor, storedBytes: Int64) {
        bytesRead += storedBytes
        bytesWritten += extractor.bytes
        files += extractor.files
    }
}
