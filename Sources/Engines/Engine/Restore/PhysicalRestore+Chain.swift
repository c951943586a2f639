// PhysicalRestore+Chain: restoring a snapshot's chain in place (docs/format.md §6.5); a full snapshot is a chain
// of one, restored by the same code with the same guarantees. The chain was
// resolved and authenticated link by link when the restore was planned (BackupChain). Here every backup is read
// newest first, each of its objects streamed once (ChainExtractor): the newest defines the files, each older one
// only fills blocks still missing, and an older object is not read at all once nothing more is needed from its
// directory. Nothing is staged: the target needs about the cluster's size.
//
// Integrity: the sealed reader releases a chunk only after its tag verified, so every byte applied is
// authenticated; each object's size and SHA-256 against the manifest are checked at the end of its stream, and
// any failure empties the directories (restoreFiles). Objects are not authenticated in a pass of their own first:
// that would download everything twice. Each object streams through three threads (ObjectSource.withEntryReader:
// download and authenticate | decompress | write).
//
// A killed chain restore must never leave a directory that looks restored: the newest backup's
// `global/pg_control` is held in memory and written only after every backup is applied and the file systems are
// synced (without it PostgreSQL refuses to start), then recovery.signal and the settings follow.
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
        // Durable once, before pg_control: were pg_control on disk without the data, a crash would leave a
        // directory that starts. One syncfs per file system instead of an fsync per file; the extractor started
        // each file's writeback as it wrote it, so this waits for the tail.
        for handle in [root] + spaceRoots { try handle.syncFileSystem() }
        try Failpoint.hit("restore.control.before")
        guard let control else {
            throw SnapshotError.unexpectedOutput("the snapshot has no 'global/pg_control'; it is not a base backup")
        }
        let global = try root.makeSubdirectory("global", mode: 0o700)
        let file = try global.createFile("pg_control", mode: 0o600)
        try file.write(control.bytes)
        try file.setMode(control.mode)
        try file.sync()
        try global.sync()
        return links
    }

    /// One backup of the chain: each tablespace the restore puts back and the data directory, in parallel (each
    /// on its own thread with its own part of the file table). Returns the newest backup's pg_control.
    private func applyLink(
        _ manifest: BackupManifest, newest: Bool, plan: PhysicalRestorePlan,
        roots: (data: DirectoryHandle, spaces: [DirectoryHandle]), table: inout ChainFileTable,
        link: inout RestoredChainLink
    ) throws -> (bytes: [UInt8], mode: mode_t)? {
        guard let snapshot = manifest.snapshot else { throw SnapshotError.notASnapshot(manifest.id.rawValue) }
        let source = ObjectSource(
            repository: repository, keyring: keyring, cluster: context.config.cluster, manifest: manifest)
        let form = manifest.incremental.map { DeltaForm(method: $0.method) }
        var streams: [RootStream] = []
        for (space, spaceRoot) in zip(plan.summary.tablespaces ?? [], roots.spaces) {
            guard let record = snapshot.tablespaces?.first(where: { $0.oid == space.oid }) else { continue }
            let rootName = "tblspc-\(space.oid)"
            guard newest || table.remaining(root: rootName) > 0 else { continue }
            let extractor = ChainExtractor(
                root: spaceRoot, rootName: rootName, newest: newest, form: form, progress: context.progress,
                directIO: context.config.restore.directIO)
            streams.append(
                RootStream(
                    source: source, object: record.object, entry: record.entry, extractor: extractor,
                    table: table.take(root: rootName), label: "tablespace \(space.oid)"))
        }
        var base: ChainExtractor?
        if newest || table.remaining(root: "base") > 0 {
            let extractor = ChainExtractor(
                root: roots.data, rootName: "base", newest: newest, form: form, progress: context.progress,
                holdsControlFile: newest, directIO: context.config.restore.directIO)
            base = extractor
            streams.append(
                RootStream(
                    source: source, object: snapshot.object, entry: snapshot.entry, extractor: extractor,
                    table: table.take(root: "base"), label: snapshot.object))
        }
        let verb = newest ? "extract" : "apply"
        context.progress.begin("\(verb) \(manifest.id) (\(streams.count) object\(streams.count == 1 ? "" : "s"))")
        defer { context.progress.end() }
        for part in try RootStream.runAll(streams) {
            table.merge(part.table)
            link.count(part.extractor, storedBytes: manifest.object(named: part.object)?.storedSize ?? 0)
        }
        if newest { try Failpoint.hit("restore.chain.newest.after") }
        return base?.heldControlFile
    }
}

/// One object of one backup streamed into its directory with its part of the chain's file table. The roots of a
/// backup are independent (their files never overlap), so they stream in parallel: the tablespaces on threads of
/// their own, the data directory on the caller's. Sendable by construction: each value is used by one thread at
/// a time, handed over when its thread starts and back when it is joined.
struct RootStream: @unchecked Sendable {
    let source: ObjectSource
    let object: String
    let entry: String
    let extractor: ChainExtractor
    var table: ChainFileTable
    let label: String

    /// Runs every stream, the last on this thread; waits for all of them (a failed one does not leave another
    /// writing into a directory the caller is about to empty), then throws the first failure.
    static func runAll(_ streams: [RootStream]) throws -> [RootStream] {
        guard let last = streams.last else { return [] }
        let tasks = streams.dropLast().map { stream in
            BackgroundTask(name: "lifeboat-restore-\(stream.label)") { () throws -> RootStream in
                var copy = stream
                try copy.run()
                return copy
            }
        }
        var mine = last
        let outcome = Result { try mine.run() }
        let others = tasks.map { task in Result { try task.join() } }
        try outcome.get()
        return try others.map { try $0.get() } + [mine]
    }

    mutating func run() throws {
        do {
            try source.withEntryReader(object, entryName: entry) { read in
                try extractor.apply(try TarReader(input: read, allowDirectories: true), table: &table)
            }
        } catch let error as DeltaEntryError {
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
