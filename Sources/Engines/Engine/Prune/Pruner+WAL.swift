// Pruner's WAL steps (docs/format.md §9): expiring archived files the plan lets go, and removing objects no
// record names. A WAL file's record names the object that holds it (WALArchive+Commit.swift); the listing
// prune starts from cannot see that name, but a name normally has exactly one object, its committed one, so
// records are read only for names with more than one object and, right before deleting, for leftovers.
import Catalog
import Diagnostics
import Foundation
import Retention
import Storage

extension Pruner {
    var walArchive: WALArchive {
        WALArchive(context: context, repository: catalog.repository, keyring: catalog.keyring)
    }

    /// Step 2: for each expired file its record (it commits the file: the file leaves the archive at once), then
    /// the object the record named. Returns the keys deleted, so the leftover step does not count them twice.
    func expireWAL(_ plan: RetentionPlan, _ listing: WALListing, into result: inout PruneResult) throws -> Set<String> {
        var deleted = Set<String>()
        guard !plan.expiredWAL.isEmpty else { return deleted }
        context.progress.begin("prune WAL", total: Int64(plan.expiredWAL.count))
        defer { context.progress.end() }
        for text in plan.expiredWAL {
            defer { context.progress.advance(by: 1) }
            guard let name = WALName(text), let record = listing.records[text] else { continue }
            // Read before the record goes. An unreadable record expires all the same; its objects are then
            // named by nothing and the leftover step removes them.
            let committed = try? committedObject(name, listing)
            try Failpoint.hit("prune.wal.delete.before")
            guard try delete(record, into: &result) else { continue }
            deleted.insert(record.key.rawValue)
            if let committed {
                guard try delete(committed, into: &result) else { continue }
                deleted.insert(committed.key.rawValue)
            }
            result.deletedWal += 1
        }
        return deleted
    }

    /// The listed object `name`'s record names: the only one listed, or, when there are several, the one the
    /// record (read now) names. Nil when none of the listed objects is it.
    func committedObject(_ name: WALName, _ listing: WALListing) throws -> BlobInfo? {
        let objects = listing.objects[name.rawValue] ?? []
        guard objects.count > 1 else { return objects.first }
        guard let record = try walArchive.record(name) else { return nil }
        let key = try walArchive.objectKey(of: record)
        return objects.first { $0.key == key }
    }

    /// Step 4 for WAL: objects no record names, older than the grace period. The listing is from the start of
    /// the run and a push may commit while prune works, so each candidate is checked again right before it is
    /// deleted: the name's record, read now, must not name it, and the object must still be older than the grace
    /// period (a push in flight has a young object: its upload ends just before its record is created; and a
    /// release before per-push names rewrote `<name>.lbx` in place, making it young again).
    func removeWALLeftovers(_ listing: WALListing, now: Date, expired: Set<String>, into result: inout PruneResult)
        throws
    {
        for name in listing.namesWithPossibleLeftovers {
            let old = (listing.objects[name.rawValue] ?? []).filter {
                isOld($0, now: now) && !expired.contains($0.key.rawValue)
            }
            guard !old.isEmpty else { continue }
            let named: ObjectKey?
            do {
                named = try walArchive.record(name).map { try walArchive.objectKey(of: $0) }
            } catch {
                // Without the record we cannot tell what it commits: nothing of the name is deleted.
                context.logger.warning(
                    "cannot read the record of a WAL file; its unreferenced objects stay",
                    metadata: ["wal": "\(name)", "error": "\(error)"])
                continue
            }
            for object in old where object.key != named {
                guard let current = try store.head(object.key), isOld(current, now: now) else { continue }
                try Failpoint.hit("prune.wal.delete.before")
                _ = try delete(current, into: &result)
            }
        }
    }

    private func isOld(_ info: BlobInfo, now: Date) -> Bool {
        now.timeIntervalSince(info.modified) > Self.inFlightGrace
    }
}
