// WALInventory: what a cluster's WAL archive holds, from one listing of `wal/<cluster>/`, turned into a
// RecoveryWindowReport (Catalog/RecoveryWindow.swift) together with the snapshot manifests; and `verify --wal`:
// every archived file read back through the same checks as `wal get`, without writing anything.
//
// A file counts as archived when its record (`<name>.meta.lbx`) and an object of its name are both listed; a
// record without any object is reported and treated as missing (wal get would fail on it). Which object the
// record names is inside the sealed record: the listing trusts that a name's object is the committed one (a
// loser deletes its own, WALArchive+Commit.swift), and `verify --wal` reads each record and the exact object it
// names, so a lost committed object beside a leftover of a dead push is found there. Archived times
// come from the listing's modification time of each record, so a big archive costs one listing and not one
// download per file; only the records at the end of each recoverable window are read (and authenticated) for
// their exact `archived_at`. The two agree to within the store's clock: the record is written right after the
// object at push time and never rewritten.
import ArchiveIO
import Catalog
import Cipher
import Diagnostics
import Foundation
import Pipeline
import Storage

public struct WALInventory {
    /// Archived files (record and object present) with their archived time.
    public var files: [ArchivedWALFile]
    /// Records whose object is missing: not restorable.
    public var recordsWithoutObject: [String]
    public var segmentSize: Int64
    public var report: RecoveryWindowReport
    /// Bytes the cluster's WAL archive takes in the repository (WALListing.storedBytes).
    public var storedBytes: Int64 = 0
    /// Segments with a partial of the WAL receiver (§8.7): not archived files, never part of a window.
    public var partials: [String] = []

    /// True when the cluster has any archived WAL file at all (logical-only users have none).
    public var isEmpty: Bool { files.isEmpty && recordsWithoutObject.isEmpty }
}

public struct WALFileCheck: Codable, Sendable {
    public var name: String
    public var ok: Bool
    public var size: Int64
    public var problem: String?
}

public struct WALVerifyReport: Codable, Sendable {
    public var files: [WALFileCheck]
    public var gaps: [WALSegmentRange]
    public var unrestorableSnapshots: [UnrestorableSnapshot]
    /// The WAL receiver's partial segments, each read back like a file (size: its valid bytes).
    public var partials: [WALFileCheck] = []
    public var ok: Bool { gaps.isEmpty && files.allSatisfy(\.ok) && partials.allSatisfy(\.ok) }
    public var failures: [WALFileCheck] { (files + partials).filter { !$0.ok } }
}

public struct WALInventoryReader {
    let archive: WALArchive
    var repository: Repository { archive.repository }
    var cluster: String { archive.cluster }
    static let defaultSegmentSize: Int64 = 16 << 20

    public init(context: EngineContext, repository: Repository, keyring: Keyring) {
        archive = WALArchive(context: context, repository: repository, keyring: keyring)
    }

    /// Lists the archive once and computes the recoverable windows for `manifests` (every backup of the cluster).
    public func inventory(manifests: [BackupManifest]) throws -> WALInventory {
        let listing = try WALListing.list(repository.store, cluster: cluster)
        let hasSystemRecord = listing.hasSystemRecord
        var files: [ArchivedWALFile] = []
        var orphans: [String] = []
        for (name, record, objects) in listing.committedFiles(cluster: cluster) {
            if !objects.isEmpty {
                files.append(ArchivedWALFile(name: name, archivedAt: record.modified))
            } else {
                orphans.append(name.rawValue)
            }
        }
        files.sort { $0.name < $1.name }
        let segmentSize = try self.segmentSize(hasSystemRecord: hasSystemRecord, manifests: manifests)
        let needs = manifests.compactMap(SnapshotWALNeed.init)
        let branches = timelineBranches(files)
        var report = RecoveryWindowReport.compute(
            snapshots: needs, archived: files, segmentSize: segmentSize, branches: branches)
        // Exact archived times for the segments that end a window (a few authenticated reads).
        var exact: [String: Date] = [:]
        for window in report.windows {
            guard let name = WALName(window.toWal), let record = try archive.record(name) else { continue }
            exact[name.rawValue] = record.archivedAt
        }
        if !exact.isEmpty {
            files = files.map { file in
                exact[file.name.rawValue].map { ArchivedWALFile(name: file.name, archivedAt: $0) } ?? file
            }
            report = RecoveryWindowReport.compute(
                snapshots: needs, archived: files, segmentSize: segmentSize, branches: branches)
        }
        return WALInventory(
            files: files, recordsWithoutObject: orphans.sorted(), segmentSize: segmentSize, report: report,
            storedBytes: listing.storedBytes, partials: listing.partials.keys.sorted())
    }

    /// Where each archived timeline branched off (one small authenticated read per history file). A history
    /// file that cannot be read is left out: its timeline then gets no window from its parent, and
    /// `verify --wal` reports the damage.
    func timelineBranches(_ files: [ArchivedWALFile]) -> [TimelineBranch] {
        files.filter { $0.name.kind == .history }.compactMap { file in
            guard let record = try? archive.record(file.name), record.size <= 1 << 20,
                let key = try? archive.objectKey(of: record)
            else { return nil }
            var bytes: [UInt8] = []
            guard
                (try? WALObjectReader.read(
                    store: repository.store, key: key, record: record, name: file.name,
                    lookup: archive.keyring.lookup, body: { bytes.append(contentsOf: $0) })) != nil
            else { return nil }
            return TimelineBranch(timeline: file.name.timeline, historyText: String(decoding: bytes, as: UTF8.self))
        }
    }

    /// wal_segment_size: the system record's, else a snapshot's, else PostgreSQL's default.
    func segmentSize(hasSystemRecord: Bool, manifests: [BackupManifest]) throws -> Int64 {
        if hasSystemRecord {
            let key = try ObjectKey(RepositoryLayout.walSystemIdentifier(cluster: cluster))
            let bytes = try repository.getSealed(key, lookup: archive.keyring.lookup)
            if let record = try? CatalogCoding.decoder().decode(WALSystemRecord.self, from: Data(bytes)),
                record.cluster == cluster,
                WALSegmentHeader.isValidSegmentSize(UInt64(record.segmentSize))
            {
                return record.segmentSize
            }
            throw WALError.recordMismatch(
                key: key.rawValue, detail: "it is not the system identifier record of cluster '\(cluster)'")
        }
        return manifests.compactMap { $0.snapshot?.walSegmentSize }.last ?? Self.defaultSegmentSize
    }

    // MARK: verify --wal

    /// Continuity (gaps are failures) and every archived file read back: sealed chunks authenticated, the single
    /// tar entry's name and size and the plaintext SHA-256 checked against the record, as `wal get` does.
    public func verify(manifests: [BackupManifest], progress: ProgressReporter) throws -> WALVerifyReport {
        let inventory = try inventory(manifests: manifests)
        var checks = inventory.files.map { check($0.name, progress: progress) }
        for orphan in inventory.recordsWithoutObject {
            let record = WALName(orphan).flatMap { try? archive.record($0) }
            let object = record.flatMap { try? archive.objectKey(of: $0).rawValue } ?? orphan
            checks.append(
                WALFileCheck(
                    name: orphan, ok: false, size: 0, problem: "its record exists but its object '\(object)' is missing"
                ))
        }
        checks.sort { $0.name < $1.name }
        return WALVerifyReport(
            files: checks, gaps: inventory.report.gaps, unrestorableSnapshots: inventory.report.unrestorableSnapshots,
            partials: inventory.partials.compactMap { WALName($0) }.map { checkPartial($0, progress: progress) })
    }

    /// A partial read back as `wal get` would serve it: authenticated, its description and SHA-256 checked.
    func checkPartial(_ segment: WALName, progress: ProgressReporter) -> WALFileCheck {
        var result = WALFileCheck(name: segment.rawValue, ok: false, size: 0)
        do {
            progress.begin("verify partial \(segment)")
            defer { progress.end() }
            guard let record = try archive.readPartial(segment, body: { progress.advance(by: $0.count) }) else {
                result.problem = "it vanished while being verified"
                return result
            }
            result.size = record.size
            result.ok = true
        } catch {
            result.problem = ProblemText.of(error)
        }
        return result
    }

    func check(_ name: WALName, progress: ProgressReporter) -> WALFileCheck {
        var result = WALFileCheck(name: name.rawValue, ok: false, size: 0)
        do {
            guard let record = try archive.record(name) else {
                result.problem = "its record vanished while being verified"
                return result
            }
            result.size = record.size
            progress.begin("verify wal \(name)", total: record.size)
            defer { progress.end() }
            let key = try archive.objectKey(of: record)
            try WALObjectReader.read(
                store: repository.store, key: key, record: record, name: name, lookup: archive.keyring.lookup
            ) {
                progress.advance(by: $0.count)
            }
            result.ok = true
        } catch {
            result.problem = ProblemText.of(error)
        }
        return result
    }
}
