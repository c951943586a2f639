// WALArchive partial segments (docs/format.md §8.7): the segment `wal receive` is filling, stored every
// `wal.partial_every` as `wal/<cluster>/partial/<segment>.lbx` and replaced as it grows, so a restore after losing
// the primary recovers to within seconds of it. The object is a sealed tar of two entries: `partial.json` (a
// WALPartialRecord: cluster, segment, valid length, SHA-256) and `<segment>` with exactly those bytes. A store
// replaces an object atomically (format.md §1), so a reader sees one whole partial or the previous one.
//
// A partial is never an archived file: listings, windows, prune plans and `wal push` see only records. `wal get`
// serves one only when the segment is not archived and the next segment of its timeline is not archived either
// (so it is the newest WAL of that timeline), written out to the full segment size with zeros after the valid
// bytes: PostgreSQL reads up to the last complete record and ends recovery there, as after a crash.
import ArchiveIO
import Catalog
import Cipher
import Diagnostics
import Foundation
import Pipeline
import Storage

extension WALArchive {
    func partialKey(_ segment: WALName) throws -> ObjectKey {
        try ObjectKey(RepositoryLayout.walPartial(cluster: cluster, segment: segment))
    }

    /// Stores the first `size` bytes of the segment file at `path` as its partial, replacing an older one.
    func storePartial(path: String, segment: WALName, size: Int64, segmentSize: Int64, systemIdentifier: UInt64?)
        throws -> WALPartialRecord
    {
        let file = try WALSourceFile(path: path, size: size)
        defer { file.close() }
        let record = WALPartialRecord(
            cluster: cluster, name: segment.rawValue, size: size, segmentSize: segmentSize, sha256: try file.sha256(),
            systemIdentifier: systemIdentifier.map { String($0) }, writtenAt: context.now(),
            tool: EngineContext.toolInfo)
        let json = Array(try CatalogCoding.encoder().encode(record))
        let writer = try SealedObjectWriter(
            store: repository.store, key: try partialKey(segment), sealingKey: keyring.current,
            compression: compression, level: context.config.compression.level)
        do {
            try writer.tar.beginEntry(name: WALPartialRecord.entryName, size: Int64(json.count), mode: 0o600)
            try json.withUnsafeBytes { try writer.tar.write($0) }
            try writer.tar.finishEntry()
            try writer.tar.beginEntry(name: segment.rawValue, size: size, mode: 0o600, modificationTime: file.modified)
            try file.stream { try writer.tar.write($0) }
            try writer.tar.finishEntry()
            try Failpoint.hit("wal.partial.before")
            _ = try writer.commit()
            try Failpoint.hit("wal.partial.after")
        } catch {
            writer.abort(error)
            throw error
        }
        return record
    }

    /// Removes the partial of a segment that is now archived in full; a failure leaves it for prune.
    func removePartial(_ segment: WALName) {
        do {
            try Failpoint.hit("wal.partial.delete.before")
            try repository.store.delete(try partialKey(segment))
        } catch {
            context.logger.warning(
                "could not delete a partial segment whose full segment is archived; prune removes it",
                metadata: ["wal": "\(segment)", "error": "\(error)"])
        }
    }

    /// Reads the partial of `segment` (nil when there is none): its record, checked against the key, and its
    /// bytes to `body`, authenticated and checked against the record's size and SHA-256.
    func readPartial(_ segment: WALName, body: (UnsafeRawBufferPointer) throws -> Void) throws -> WALPartialRecord? {
        let key = try partialKey(segment)
        let sealed: SealedObjectReader
        do {
            sealed = try SealedObjectReader(store: repository.store, key: key, expected: nil, keyLookup: keyring.lookup)
        } catch StoreError.notFound {
            return nil
        }
        do {
            let tar = try TarReader { try sealed.read(into: $0) }
            let record = try partialRecord(tar, key: key, segment: segment)
            guard let entry = try tar.nextEntry(), entry.name == segment.rawValue, entry.size == record.size else {
                throw WALError.contentMismatch(key: key.rawValue, detail: "its data entry is not '\(segment)'")
            }
            let hasher = try SHA256Hasher()
            _ = try WALObjectReader.streamEntry(tar, hashing: hasher, to: body)
            guard try tar.nextEntry() == nil else {
                throw WALError.contentMismatch(key: key.rawValue, detail: "it holds more than two entries")
            }
            try sealed.drain()
            guard Hex.encode(hasher.finalize()) == record.sha256 else {
                throw WALError.contentMismatch(key: key.rawValue, detail: "its content does not match its sha256")
            }
            return record
        } catch let error as ArchiveError {
            throw PipelineError.corruptObject(key: key.rawValue, detail: error.message)
        }
    }

    private func partialRecord(_ tar: TarReader, key: ObjectKey, segment: WALName) throws -> WALPartialRecord {
        guard let first = try tar.nextEntry(), first.name == WALPartialRecord.entryName, first.size <= 1 << 16 else {
            throw WALError.contentMismatch(key: key.rawValue, detail: "it does not start with its description")
        }
        var json = [UInt8](repeating: 0, count: Int(first.size))
        var filled = 0
        while filled < json.count {
            let count = try json.withUnsafeMutableBytes {
                try tar.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...]))
            }
            guard count > 0 else { break }
            filled += count
        }
        guard filled == json.count,
            let record = try? CatalogCoding.decoder().decode(WALPartialRecord.self, from: Data(json))
        else {
            throw WALError.contentMismatch(key: key.rawValue, detail: "its description does not decode")
        }
        guard record.cluster == cluster, record.name == segment.rawValue,
            WALSegmentHeader.isValidSegmentSize(UInt64(record.segmentSize)),
            (0...record.segmentSize).contains(record.size)
        else {
            throw WALError.recordMismatch(
                key: key.rawValue, detail: "it describes '\(record.name)' of cluster '\(record.cluster)'")
        }
        return record
    }

    /// `wal get` of a segment that is not archived: its partial, padded to the segment size, when it is the
    /// newest WAL of its timeline. Nil (not archived) otherwise.
    func getPartial(_ segment: WALName, destination: String, started: Date) throws -> WALGetResult? {
        guard segment.kind == .segment, try repository.store.head(try partialKey(segment)) != nil else { return nil }
        let output = try WALDestinationFile(destination)
        let temporary = output.temporaryPath
        let token = Interruption.shared.register { unlink(temporary) }
        defer { Interruption.shared.unregister(token) }
        do {
            guard let record = try readPartial(segment, body: { try output.write($0) }) else {
                output.discard()
                return nil
            }
            if try laterSegmentArchived(after: segment, segmentSize: UInt64(record.segmentSize)) {
                output.discard()
                return nil
            }
            try writeZeros(count: record.segmentSize - record.size, to: output)
            try Failpoint.hit("wal.get.rename.before")
            try output.commit()
            context.logger.notice(
                "served the partial segment: recovery ends at its last complete record",
                metadata: ["wal": "\(segment)", "bytes": "\(record.size)"])
            return WALGetResult(
                name: segment.rawValue, destination: destination, size: record.segmentSize, sha256: record.sha256,
                seconds: Date().timeIntervalSince(started), partialBytes: record.size)
        } catch {
            output.discard()
            throw error
        }
    }

    private func laterSegmentArchived(after segment: WALName, segmentSize: UInt64) throws -> Bool {
        guard let number = segment.segmentNumber(segmentSize: segmentSize) else { return true }
        let next = LSN.segmentName(timeline: segment.timeline, segment: number + 1, segmentSize: segmentSize)
        guard let name = WALName(next) else { return true }
        return try repository.store.head(try recordKey(name)) != nil
    }

    private func writeZeros(count: Int64, to output: WALDestinationFile) throws {
        let zeros = [UInt8](repeating: 0, count: WALArchive.bufferSize)
        var left = count
        while left > 0 {
            let step = Int(min(left, Int64(zeros.count)))
            try zeros.withUnsafeBytes { try output.write(UnsafeRawBufferPointer(rebasing: $0[0..<step])) }
            left -= Int64(step)
        }
    }
}
