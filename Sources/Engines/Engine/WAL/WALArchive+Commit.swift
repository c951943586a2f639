// WALArchive commit protocol (docs/format.md §8.4): how one push of a WAL file becomes archived, with exactly one
// winner among concurrent pushes of the same name.
//
// 1. The object is uploaded under a name no other push uses, `<name>.<random token>.lbx` (WALObjectName).
// 2. The record `<name>.meta.lbx`, naming that object, is created exclusively: the single commit point.
// 3. A push whose create finds a record already there reads it. A record naming our own object means an
//    earlier attempt of our create succeeded and only its answer was lost (a retried request): we committed.
//    Otherwise our object is referenced by nothing and we delete it; then the winner's plaintext size and
//    SHA-256 decide: the same file is success, another file is refused (exit 1).
//
// Because no push ever writes a key that a record (or another push) refers to, the bytes a record names are
// exactly the bytes its pusher uploaded, whatever runs concurrently: two restores promoted onto one new
// timeline, PostgreSQL retrying a push that is still running, ready-push threads. A crash anywhere leaves at
// most an object no record names; prune deletes such objects once they are older than its grace period, after
// reading the record again right before each delete (Pruner+WAL.swift).
import Catalog
import Diagnostics
import Foundation
import Storage

extension WALArchive {
    /// The name is archived: success for the identical file, refusal for any other. If the object the record
    /// names has gone missing, the file is stored again under exactly that name: the record binds the plaintext,
    /// not the ciphertext, so any sealing of the same bytes is what it commits.
    func confirmArchived(_ existing: WALFileRecord, file: WALSourceFile, name: WALName, started: Date) throws
        -> WALPushResult
    {
        try requireSame(existing, file: file, name: name, fileDigest: try file.sha256())
        let objectKey = try objectKey(of: existing)
        var storedSize: Int64?
        if try repository.store.head(objectKey) == nil {
            context.logger.warning("wal object was missing; storing it again", metadata: ["object": "\(objectKey)"])
            try Failpoint.hit("wal.object.before")
            storedSize = try upload(file, name: name, key: objectKey).0.storedSize
            try Failpoint.hit("wal.object.after")
        }
        context.logger.info("wal file already archived", metadata: ["wal": "\(name)"])
        return WALPushResult(
            name: name.rawValue, object: objectKey.rawValue, size: file.size, storedSize: storedSize,
            sha256: existing.sha256, alreadyArchived: true, seconds: Date().timeIntervalSince(started))
    }

    /// Steps 1–3 for a name that had no record when this push looked.
    func commit(_ file: WALSourceFile, name: WALName, systemIdentifier: UInt64?, started: Date) throws -> WALPushResult
    {
        let object = WALObjectName.fresh(for: name)
        let objectKey = try ObjectKey(RepositoryLayout.walObject(cluster: cluster, object: object))
        try Failpoint.hit("wal.object.before")
        let (stored, digest) = try upload(file, name: name, key: objectKey)
        try Failpoint.hit("wal.object.after")
        let fileRecord = WALFileRecord(
            cluster: cluster, name: name.rawValue, size: file.size, sha256: digest,
            systemIdentifier: systemIdentifier.map { String($0) },
            compression: context.walCompressionInfo,
            archivedAt: context.now(),
            tool: EngineContext.toolInfo,
            object: object.fileName)
        let sealed = Array(try CatalogCoding.encoder().encode(fileRecord))
        // Twice at most: a record that beat our create can vanish before we read it only if prune expired it.
        for _ in 0..<2 {
            try Failpoint.hit("wal.record.before")
            // A create that throws may still have happened (an answer lost on the way back), so our object stays:
            // if no record names it, prune removes it later.
            let created = try createSealedExclusively(try recordKey(name), sealed)
            try Failpoint.hit("wal.record.after")
            if created { try proveExclusiveCreate(name, sealed) }
            let winner = created ? fileRecord : try record(name)
            guard let winner else { continue }
            if winner.objectName == object {
                context.logger.info(
                    "wal file archived",
                    metadata: ["wal": "\(name)", "bytes": "\(file.size)", "stored": "\(stored.storedSize)"])
                return WALPushResult(
                    name: name.rawValue, object: objectKey.rawValue, size: file.size, storedSize: stored.storedSize,
                    sha256: digest, alreadyArchived: false, seconds: Date().timeIntervalSince(started))
            }
            return try lostTheRace(
                to: winner, ours: objectKey, file: file, name: name, digest: digest, started: started)
        }
        removeUnreferenced(objectKey)
        throw WALError.commitContended(name: name.rawValue, cluster: cluster)
    }

    /// The record is the commit point only if the store refuses a second create; one that ignores If-None-Match
    /// would let another push silently replace it (format.md §1). Same plaintext: harmless. Proven on this
    /// archive's first commit and then once a minute (WALPushCache), not for every segment a pusher stores.
    private func proveExclusiveCreate(_ name: WALName, _ sealed: [UInt8]) throws {
        guard cache.needsExclusiveCreateProof() else { return }
        if try createSealedExclusively(try recordKey(name), sealed) {
            throw StoreError.exclusiveCreateIgnored(location: repository.store.location)
        }
        cache.exclusiveCreateProven()
    }

    /// Another push committed the name first. Our object is named by nothing: it goes before the verdict, so a
    /// refused push leaves nothing behind either.
    private func lostTheRace(
        to winner: WALFileRecord, ours: ObjectKey, file: WALSourceFile, name: WALName, digest: String,
        started: Date
    ) throws -> WALPushResult {
        removeUnreferenced(ours)
        try requireSame(winner, file: file, name: name, fileDigest: digest)
        context.logger.info("wal file archived concurrently by another push", metadata: ["wal": "\(name)"])
        return WALPushResult(
            name: name.rawValue, object: try objectKey(of: winner).rawValue, size: file.size, storedSize: nil,
            sha256: digest, alreadyArchived: true, seconds: Date().timeIntervalSince(started))
    }

    /// Deletes an object of ours that no record names; a failure only leaves a leftover for prune.
    private func removeUnreferenced(_ key: ObjectKey) {
        do {
            try repository.store.delete(key)
        } catch {
            context.logger.warning(
                "could not delete an unreferenced wal object; prune removes it later",
                metadata: ["object": "\(key)", "error": "\(error)"])
        }
    }
}
