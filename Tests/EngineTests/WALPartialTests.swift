// WALPartialTests: the receiver's partial segments on a MemoryStore (docs/format.md §8.7): stored and replaced,
// served by `wal get` zero-padded to the segment size only while the segment and the next one are not archived,
// refused when damaged or copied from another segment, never served to the prefetcher; seen by `mayServe`.
import Catalog
import Foundation
import PGClient
import Storage
import XCTest

@testable import Engine

final class WALPartialTests: XCTestCase {
    let segment = WALName("000000020000000000000005")!
    let segmentSize: Int64 = 1 << 20  // PostgreSQL's smallest, to keep the test small

    func fixture() throws -> (InMemoryHistory, WALArchive, String) {
        let history = try InMemoryHistory()
        let archive = WALArchive(
            context: history.context, repository: history.catalog.repository, keyring: history.catalog.keyring)
        let directory = NSTemporaryDirectory() + "wal-partial-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        return (history, archive, directory)
    }

    func write(_ bytes: [UInt8], to path: String) throws {
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
    }

    /// Stores a partial of `segment` of `count` bytes of `byte`, written to `directory` as the receiver would.
    func storePartial(repeating byte: UInt8, count: Int, with archive: WALArchive, in directory: String) throws {
        let path = directory + "/" + segment.rawValue
        try write(Array(repeating: byte, count: count), to: path)
        _ = try archive.storePartial(
            path: path, segment: segment, size: Int64(count), segmentSize: segmentSize, systemIdentifier: nil)
    }

    func testServedPaddedToTheSegmentSizeAndReplacedAsItGrows() throws {
        let (_, archive, directory) = try fixture()
        let source = directory + "/" + segment.rawValue
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try write(bytes, to: source)
        _ = try archive.storePartial(
            path: source, segment: segment, size: 100_000, segmentSize: segmentSize, systemIdentifier: 42)
        let grown = try archive.storePartial(
            path: source, segment: segment, size: 250_000, segmentSize: segmentSize, systemIdentifier: 42)
        XCTAssertEqual(grown.endPosition, 5 * UInt64(segmentSize) + 250_000)

        let result = try archive.get(name: segment.rawValue, destination: directory + "/restored")
        XCTAssertEqual(result.partialBytes, 250_000)
        XCTAssertEqual(result.size, segmentSize)
        let restored = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/restored")))
        XCTAssertEqual(restored.count, Int(segmentSize))
        XCTAssertEqual(Array(restored[0..<250_000]), Array(bytes[0..<250_000]))
        XCTAssertTrue(restored[250_000...].allSatisfy { $0 == 0 }, "zeros after the valid bytes")

        XCTAssertThrowsError(
            try archive.get(name: segment.rawValue, destination: directory + "/spooled", allowPartial: false)
        ) { error in
            guard case WALError.notArchived = error else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/spooled"))
    }

    func testNotServedOnceALaterSegmentIsArchived() throws {
        let (history, archive, directory) = try fixture()
        try storePartial(repeating: 1, count: 4096, with: archive, in: directory)
        // Any record under the next segment's name makes the partial stale (the receiver moved on).
        let next = try XCTUnwrap(WALName("000000020000000000000006"))
        try history.store.put(try archive.recordKey(next), data: [1])
        XCTAssertThrowsError(try archive.get(name: segment.rawValue, destination: directory + "/restored")) { error in
            guard case WALError.notArchived = error else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/restored"))
    }

    /// `wal get` answers "not archived" from this check alone, before it unlocks the keyring: it must see a
    /// record and, for a segment `wal get` may serve it for, a partial.
    func testMayServeSeesRecordsAndPartials() throws {
        let (history, archive, directory) = try fixture()
        let repository = history.catalog.repository
        let cluster = history.context.config.cluster
        XCTAssertFalse(try WALArchive.mayServe(segment, repository: repository, cluster: cluster))
        try storePartial(repeating: 7, count: 4096, with: archive, in: directory)
        XCTAssertTrue(try WALArchive.mayServe(segment, repository: repository, cluster: cluster))
        XCTAssertFalse(
            try WALArchive.mayServe(segment, repository: repository, cluster: cluster, allowPartial: false),
            "the prefetcher is never served a partial")
        let next = try XCTUnwrap(WALName("000000020000000000000006"))
        let history2 = try XCTUnwrap(WALName("00000002.history"))
        XCTAssertFalse(try WALArchive.mayServe(next, repository: repository, cluster: cluster))
        XCTAssertFalse(try WALArchive.mayServe(history2, repository: repository, cluster: cluster))
        try history.store.put(try archive.recordKey(next), data: [1])
        try history.store.put(try archive.recordKey(history2), data: [1])
        XCTAssertTrue(try WALArchive.mayServe(next, repository: repository, cluster: cluster, allowPartial: false))
        XCTAssertTrue(try WALArchive.mayServe(history2, repository: repository, cluster: cluster))
    }

    func testDamagedOrMovedPartialIsAnIntegrityFailure() throws {
        let (history, archive, directory) = try fixture()
        try storePartial(repeating: 9, count: 8192, with: archive, in: directory)
        let key = try archive.partialKey(segment)
        let sealed = try history.store.get(key)

        // The partial of segment 5 copied under segment 7's key: it authenticates but describes another segment.
        let other = try XCTUnwrap(WALName("000000020000000000000007"))
        try history.store.put(try archive.partialKey(other), data: sealed)
        XCTAssertThrowsError(try archive.get(name: other.rawValue, destination: directory + "/moved")) { error in
            XCTAssertEqual((error as? any LifeboatError)?.exitStatus, .integrity, "\(error)")
        }
        var flipped = sealed
        flipped[flipped.count / 2] ^= 0x40
        try history.store.put(key, data: flipped)
        XCTAssertThrowsError(try archive.get(name: segment.rawValue, destination: directory + "/flipped")) { error in
            XCTAssertEqual((error as? any LifeboatError)?.exitStatus, .integrity, "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/moved"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/flipped"))
    }
}

extension WALPartialTests {
    /// The listing keeps partials apart from archived files; one whose segment has a record is superseded.
    func testListingSeesPartialsApartFromArchivedFiles() throws {
        let (history, archive, directory) = try fixture()
        try storePartial(repeating: 3, count: 4096, with: archive, in: directory)
        var listing = try WALListing.list(history.store, cluster: "main")
        XCTAssertEqual(Array(listing.partials.keys), [segment.rawValue])
        XCTAssertTrue(listing.records.isEmpty && listing.objects.isEmpty, "a partial is not an archived file")
        XCTAssertTrue(listing.supersededPartials.isEmpty)
        try history.store.put(try archive.recordKey(segment), data: [1])
        listing = try WALListing.list(history.store, cluster: "main")
        XCTAssertEqual(listing.supersededPartials.map(\.key), [try archive.partialKey(segment)])
    }
}

final class WALReceiverRetryTests: XCTestCase {
    /// Connection trouble and a confused stream are retried after a reconnect; data that disagrees with the
    /// archive, damage and configuration stop the service.
    func testWhatTheReceiverRetries() {
        XCTAssertTrue(WALReceiver.isRetryable(PGError.connectionFailed(target: "db", detail: "refused")))
        XCTAssertTrue(WALReceiver.isRetryable(WALReceiveError.streamGap(expected: "0/1", received: "0/2")))
        XCTAssertTrue(WALReceiver.isRetryable(WALError.commitContended(name: "x", cluster: "main")))
        XCTAssertFalse(
            WALReceiver.isRetryable(WALError.differentFileArchived(name: "x", cluster: "main", key: "k")))
        XCTAssertFalse(
            WALReceiver.isRetryable(
                WALError.systemIdentifierMismatch(name: "x", cluster: "main", found: "1", recorded: "2")))
        XCTAssertFalse(WALReceiver.isRetryable(WALReceiveError.alreadyRunning(cluster: "main", lock: "/l")))
        XCTAssertFalse(WALReceiver.isRetryable(WALReceiveError.notPhysicalSlot(slot: "s", type: "logical")))
    }
}
