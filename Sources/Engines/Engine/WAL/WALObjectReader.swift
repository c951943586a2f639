// WALObjectReader: reads an archived WAL object back the one way `wal get`, `verify --wal` and the timeline scan
// all need: the sealed object authenticated chunk by chunk, its tar holding exactly the one file the record names
// with the recorded size, and the streamed bytes hashing to the recorded sha256. Each byte reaches `body` before
// the digest is known, so a caller that keeps the bytes (wal get) must commit only after `read` returns.
import ArchiveIO
import Catalog
import Cipher
import Foundation
import Pipeline
import Storage

enum WALObjectReader {
    static func read(
        store: BlobStore, key: ObjectKey, record: WALFileRecord, name: WALName,
        lookup: @escaping ([UInt8]) -> [UInt8]?, body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let sealed = try SealedObjectReader(store: store, key: key, expected: nil, keyLookup: lookup)
        let hasher = try SHA256Hasher()
        let read: Int64
        do {
            let tar = try TarReader { try sealed.read(into: $0) }
            guard let entry = try tar.nextEntry() else {
                throw WALError.contentMismatch(key: key.rawValue, detail: "it holds no file")
            }
            guard entry.name == name.rawValue, entry.size == record.size else {
                throw WALError.contentMismatch(
                    key: key.rawValue,
                    detail: "it holds '\(entry.name)' of \(entry.size) bytes, "
                        + "the record says '\(name)' of \(record.size) bytes")
            }
            read = try streamEntry(tar, hashing: hasher, to: body)
            guard try tar.nextEntry() == nil else {
                throw WALError.contentMismatch(key: key.rawValue, detail: "it holds more than one file")
            }
            try sealed.drain()  // authenticates the final chunk even if tar stopped reading early
        } catch let error as ArchiveError {
            throw PipelineError.corruptObject(key: key.rawValue, detail: error.message)
        }
        let digest = Hex.encode(hasher.finalize())
        guard read == record.size, digest == record.sha256 else {
            throw WALError.contentMismatch(
                key: key.rawValue, detail: "its content has sha256 '\(digest)', the record says '\(record.sha256)'")
        }
    }

    /// Streams the rest of `tar`'s current entry to `body` in chunks of `WALArchive.bufferSize`, each added to
    /// `hasher` first; returns how many bytes it streamed.
    static func streamEntry(
        _ tar: TarReader, hashing hasher: SHA256Hasher, to body: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int64 {
        var streamed: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: WALArchive.bufferSize)
        while case let count = try buffer.withUnsafeMutableBytes({ try tar.read(into: $0) }), count > 0 {
            try buffer.withUnsafeBytes { bytes in
                let chunk = UnsafeRawBufferPointer(rebasing: bytes[0..<count])
                hasher.update(chunk)
                try body(chunk)
            }
            streamed += Int64(count)
        }
        return streamed
    }
}
