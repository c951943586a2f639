// The write and read paths composed, over a MemoryStore: round trips, ledger checks, tamper detection.
import ArchiveIO
import Cipher
import Pipeline
import Storage
import XCTest

final class PipelineTests: XCTestCase {
    let key = SealingKey(keyId: Array(repeating: 1, count: 16), key: Array(repeating: 9, count: 32))
    var lookup: ([UInt8]) -> [UInt8]? { { [key] id in id == key.keyId ? key.key : nil } }

    func payload(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var state = seed
        return (0..<count).map { index in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return index % 3 == 0 ? UInt8(truncatingIfNeeded: state >> 33) : UInt8(ascii: "a") + UInt8(index % 26)
        }
    }

    func store(_ data: [UInt8], in store: MemoryStore, as name: String, ledger: Bool = true) throws
        -> CommittedObject
    {
        let writer = try SealedObjectWriter(
            store: store, key: try ObjectKey(name), sealingKey: key, compression: .zstd, level: 3, ledger: ledger)
        let pieces = PiecedEntryWriter(writer: writer.tar, baseName: "stream", pieceSize: 100_000)
        var offset = 0
        while offset < data.count {
            let step = min(37_000, data.count - offset)
            try data[offset..<(offset + step)].withUnsafeBytes { try pieces.write($0) }
            offset += step
        }
        _ = try pieces.finish()
        return try writer.commit()
    }

    func readBack(_ object: CommittedObject, from store: MemoryStore, sha256: String? = nil) throws -> [UInt8] {
        let sealed = try SealedObjectReader(
            store: store, key: object.key,
            expected: ExpectedObject(size: object.storedSize, sha256: sha256 ?? object.sha256), keyLookup: lookup)
        let tar = try TarReader { try sealed.read(into: $0) }
        let pieces = PiecedEntryReader(reader: tar, baseName: "stream", pieceSize: 100_000)
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while case let count = try buffer.withUnsafeMutableBytes({ try pieces.read(into: $0) }), count > 0 {
            result += buffer[0..<count]
        }
        try sealed.drain()
        return result
    }

    func testRoundTripThroughEveryStage() throws {
        let memory = MemoryStore()
        for size in [0, 1, 99_999, 100_000, 1_234_567] {
            let data = payload(size, seed: UInt64(size))
            let object = try store(data, in: memory, as: "objects/\(size)")
            XCTAssertEqual(object.contentSize, Int64(size))
            XCTAssertEqual(object.storedSize, try memory.head(object.key)?.size)
            XCTAssertEqual(object.sha256, Hex.encode(SHA256Hasher.hash(try memory.get(object.key))))
            XCTAssertEqual(try readBack(object, from: memory), data, "size \(size)")
        }
    }

    /// WAL objects skip the ledger hash of the stored bytes (their record binds the plaintext): the same object,
    /// no digest.
    func testWithoutLedgerTheStoredBytesAreNotHashed() throws {
        let memory = MemoryStore()
        let data = payload(1_234_567, seed: 7)
        let object = try store(data, in: memory, as: "objects/wal", ledger: false)
        XCTAssertEqual(object.sha256, "")
        XCTAssertEqual(object.storedSize, try memory.head(object.key)?.size)
        XCTAssertEqual(object.contentSize, Int64(data.count))
        let digest = Hex.encode(SHA256Hasher.hash(try memory.get(object.key)))
        XCTAssertEqual(try readBack(object, from: memory, sha256: digest), data)
    }

    func testStoredBytesNeverContainThePlaintext() throws {
        let memory = MemoryStore()
        let marker = Array("PLAINTEXT-MARKER-0123456789".utf8)
        let object = try store(Array((0..<5_000).flatMap { _ in marker }), in: memory, as: "objects/marker")
        let stored = try memory.get(object.key)
        XCTAssertNil(Data(stored).range(of: Data(marker)))
    }

    func testFailedCommitLeavesNoObject() throws {
        let memory = MemoryStore()
        let writer = try SealedObjectWriter(
            store: memory, key: try ObjectKey("objects/aborted"), sealingKey: key, compression: .zstd, level: 3)
        try writer.tar.beginEntry(name: "x", size: 10)
        try [UInt8](repeating: 1, count: 5).withUnsafeBytes { try writer.tar.write($0) }
        XCTAssertThrowsError(try writer.commit(), "a short tar entry must fail the commit")
        XCTAssertNil(try memory.head(try ObjectKey("objects/aborted")))
    }

    func testTamperingIsReportedAsIntegrityFailureNamingTheObject() throws {
        let memory = MemoryStore()
        let object = try store(payload(300_000), in: memory, as: "objects/tampered")
        memory.mutate(object.key) { $0[$0.count / 2] ^= 0x04 }
        XCTAssertThrowsError(try readBack(object, from: memory)) { error in
            guard let failure = error as? PipelineError else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(failure.exitStatus.rawValue, 4)
            XCTAssertTrue(failure.message.contains("objects/tampered"), failure.message)
        }
    }

    func testAuthenticValueSwappedInIsCaughtByTheLedger() throws {
        let memory = MemoryStore()
        let first = try store(payload(50_000, seed: 1), in: memory, as: "objects/a")
        let second = try store(payload(50_000, seed: 2), in: memory, as: "objects/b")
        try memory.put(first.key, data: try memory.get(second.key))
        XCTAssertThrowsError(try readBack(first, from: memory)) { error in
            // Every chunk authenticates (same data key); only the manifest's size and sha256 tell them apart.
            switch error as? PipelineError {
            case .checksumMismatch(let key, _, _)?, .sizeMismatch(let key, _, _)?: XCTAssertEqual(key, "objects/a")
            default: XCTFail("expected a ledger mismatch, got \(error)")
            }
        }
    }

    func testTruncationIsCaught() throws {
        let memory = MemoryStore()
        let object = try store(payload(3_000_000), in: memory, as: "objects/cut")
        memory.mutate(object.key) { $0.removeLast(1 << 20) }
        XCTAssertThrowsError(try readBack(object, from: memory))
    }

    func testBackgroundSinkPropagatesDownstreamFailure() throws {
        final class Failing: ByteSink {
            var calls = 0
            func write(_ bytes: UnsafeRawBufferPointer) throws {
                calls += 1
                if calls == 2 { throw PipelineError.aborted }
            }
            func finish() throws {}
        }
        let sink = BackgroundSink(next: Failing(), bufferSize: 1024, depth: 2)
        let block = [UInt8](repeating: 0, count: 1024)
        XCTAssertThrowsError(
            try {
                for _ in 0..<100 { try block.withUnsafeBytes { try sink.write($0) } }
                try sink.finish()
            }())
    }
}
