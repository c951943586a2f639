// Sealed-object stream: round trips at every interesting size and piece pattern, the exact layout, and
// known-answer vectors produced independently by make_vector.py (Python `cryptography`).
import Cipher
import TestSupport
import XCTest

/// Fixed inputs shared with make_vector.py.
enum Fixture {
    static let dataKey: [UInt8] = Array(0x00...0x1f)
    static let keyID: [UInt8] = Array(0xa0...0xaf)
    static let salt: [UInt8] = Array(0x40...0x5f)
    static let chunkSizeLog2 = 12
    static let chunkSize = 1 << chunkSizeLog2

    static func plaintext(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(($0 * 31 + 7) % 251) }
    }

    static func lookup(_ keyID: [UInt8]) -> [UInt8]? {
        keyID == Fixture.keyID ? dataKey : nil
    }

    static func sealedSize(_ plaintextCount: Int, chunkSize: Int = chunkSize) -> Int {
        let chunks = max(1, (plaintextCount + chunkSize - 1) / chunkSize)
        return SealingEncoder.headerSize + plaintextCount + chunks * 16
    }
}

final class SealedStreamTests: XCTestCase {
    func testKnownAnswerVectorsFromPython() throws {
        // python3 Tests/CipherTests/make_vector.py
        let expected: [(count: Int, length: Int, sha256: String)] = [
            (0, 76, "b63058f69b038124b722efecddf69efe23066ea3f6f5abbc4631dd1314600c49"),
            (5, 81, "2e9a0f4a16bde2cacbb54e0e0fa9c991c43723e4f54030a3eda296844f23bf87"),
            (8192, 8284, "f627305c205c131c652c3699cbb75721c11a52f79231b5000732af61c155d100"),
            (10000, 10108, "c119bf4810e96ebcfd56a2870dfd81e0e93fdfa2f817f9d75f12a7dbd67cdffc"),
        ]
        var rng = SplitMix64(seed: 11)
        for vector in expected {
            let plaintext = Fixture.plaintext(vector.count)
            let sealed = try seal(
                plaintext, dataKey: Fixture.dataKey, keyID: Fixture.keyID, salt: Fixture.salt,
                pieces: randomPieces(plaintext.count, maxPiece: 3000, &rng))
            XCTAssertEqual(sealed.count, vector.length, "length for \(vector.count) bytes")
            XCTAssertEqual(Hex.encode(SHA256Hasher.hash(sealed)), vector.sha256, "sha-256 for \(vector.count) bytes")
            XCTAssertEqual(try OpeningDecoder.open(sealed, keyLookup: Fixture.lookup), plaintext)
        }
    }

    func testKnownAnswerFullBytes() throws {
        let empty = try seal([], dataKey: Fixture.dataKey, keyID: Fixture.keyID, salt: Fixture.salt)
        XCTAssertEqual(
            Hex.encode(empty),
            """
            4c494645424f415401010c00a0a1a2a3a4a5a6a7a8a9aaabacadaeaf404142434445464748494a4b4c4d4e4f5051525354555657\
            58595a5b5c5d5e5fa35b38ccf20180f7495b692833b0c14a
            """)
        let five = try seal(Fixture.plaintext(5), dataKey: Fixture.dataKey, keyID: Fixture.keyID, salt: Fixture.salt)
        XCTAssertEqual(
            Hex.encode(five),
            """
            4c494645424f415401010c00a0a1a2a3a4a5a6a7a8a9aaabacadaeaf404142434445464748494a4b4c4d4e4f5051525354555657\
            58595a5b5c5d5e5ff1e50a8603442c9b051d7d4dfdb55611ae2988c155
            """)
    }

    func testRoundTripsAtBoundarySizesWithRandomPieces() throws {
        var rng = SplitMix64(seed: 42)
        let c = Fixture.chunkSize
        let sizes =
            [0, 1, c - 1, c, c + 1, 2 * c, 2 * c + 1, 3 * c, 3 * c - 1]
            + (0..<12).map { _ in Int.random(in: 0...(6 * c), using: &rng) }
        for size in sizes {
            for maxPiece in [1 + c / 7, c, 3 * c] {
                let plaintext = randomBytes(size, &rng)
                let sealed = try seal(
                    plaintext, dataKey: Fixture.dataKey, keyID: Fixture.keyID,
                    pieces: randomPieces(size, maxPiece: maxPiece, &rng))
                XCTAssertEqual(sealed.count, Fixture.sealedSize(size), "sealed size for \(size)")
                let outcome = openStreaming(
                    sealed, keyLookup: Fixture.lookup,
                    pieces: randomPieces(sealed.count, maxPiece: maxPiece, &rng))
                XCTAssertNil(outcome.error, "size \(size), pieces up to \(maxPiece)")
                XCTAssertEqual(outcome.emitted, plaintext, "size \(size), pieces up to \(maxPiece)")
            }
        }
    }

    func testByteAtATimeStreaming() throws {
        var rng = SplitMix64(seed: 5)
        let plaintext = randomBytes(2 * Fixture.chunkSize + 3, &rng)
        let sealed = try seal(
            plaintext, dataKey: Fixture.dataKey, keyID: Fixture.keyID,
            pieces: (0..<plaintext.count).map { $0..<($0 + 1) })
        let outcome = openStreaming(sealed, keyLookup: Fixture.lookup, pieces: (0..<sealed.count).map { $0..<($0 + 1) })
        XCTAssertNil(outcome.error)
        XCTAssertEqual(outcome.emitted, plaintext)
    }

    func testHeaderLayoutAndFreshSalt() throws {
        let a = try SealingEncoder.seal([1, 2, 3], dataKey: Fixture.dataKey, keyID: Fixture.keyID)
        let b = try SealingEncoder.seal([1, 2, 3], dataKey: Fixture.dataKey, keyID: Fixture.keyID)
        XCTAssertEqual(Array(a[0..<8]), Array("LIFEBOAT".utf8))
        XCTAssertEqual(Array(a[8..<12]), [0x01, 0x01, 20, 0x00])
        XCTAssertEqual(Array(a[12..<28]), Fixture.keyID)
        XCTAssertNotEqual(Array(a[28..<60]), Array(b[28..<60]), "salt must be fresh per object")
        XCTAssertNotEqual(Array(a[60...]), Array(b[60...]))
        XCTAssertEqual(a.count, 60 + 3 + 16)
        let header = try SealedObjectHeader(parsing: Array(a[0..<60]))
        XCTAssertEqual(header.chunkSize, 1 << 20)
        XCTAssertEqual(header.keyID, Fixture.keyID)
        XCTAssertEqual(header.encoded, Array(a[0..<60]))
    }

    func testEncoderEmitsHeaderFirstAndOnlyCompleteChunks() throws {
        let encoder = try SealingEncoder(dataKey: Fixture.dataKey, keyID: Fixture.keyID, chunkSizeLog2: 12)
        var emits: [Int] = []
        let record: (UnsafeRawBufferPointer) -> Void = { emits.append($0.count) }
        let chunk = [UInt8](repeating: 9, count: Fixture.chunkSize)
        try chunk.withUnsafeBytes { try encoder.update($0, emit: record) }
        XCTAssertEqual(emits, [60], "a full chunk is held back until more input shows it is not the last")
        try [UInt8(1)].withUnsafeBytes { try encoder.update($0, emit: record) }
        XCTAssertEqual(emits, [60, Fixture.chunkSize + 16])
        try encoder.finish(emit: record)
        XCTAssertEqual(emits, [60, Fixture.chunkSize + 16, 1 + 16])
        assertThrowsCipherError(try encoder.finish(emit: record), "finish twice") { $0.isInvalidArgument }
        assertThrowsCipherError(
            try chunk.withUnsafeBytes { try encoder.update($0, emit: record) }, "update after finish"
        ) { $0.isInvalidArgument }
    }

    func testDecoderReportsKeyIDAndHoldsBackUnconfirmedChunks() throws {
        let plaintext = Fixture.plaintext(Fixture.chunkSize + 10)
        let sealed = try seal(plaintext, dataKey: Fixture.dataKey, keyID: Fixture.keyID)
        let decoder = OpeningDecoder(keyLookup: Fixture.lookup)
        var emitted: [UInt8] = []
        let append: (UnsafeRawBufferPointer) -> Void = { emitted.append(contentsOf: $0) }
        XCTAssertNil(decoder.keyID)
        try sealed.withUnsafeBytes {
            try decoder.update(UnsafeRawBufferPointer(rebasing: $0[0..<(60 + Fixture.chunkSize + 16)]), emit: append)
        }
        XCTAssertEqual(decoder.keyID, Fixture.keyID)
        XCTAssertEqual(emitted, [], "a full chunk may still be the final one, so nothing is emitted yet")
        try sealed.withUnsafeBytes {
            try decoder.update(UnsafeRawBufferPointer(rebasing: $0[(60 + Fixture.chunkSize + 16)...]), emit: append)
        }
        XCTAssertEqual(emitted, Array(plaintext.prefix(Fixture.chunkSize)))
        try decoder.finish(emit: append)
        XCTAssertEqual(emitted, plaintext)
        assertThrowsCipherError(
            try [UInt8(0)].withUnsafeBytes { try decoder.update($0, emit: append) }, "data after finish"
        ) { $0 == .trailingData }
    }

    func testEncoderRejectsBadParameters() {
        assertThrowsCipherError(
            try SealingEncoder(dataKey: Fixture.dataKey, keyID: Fixture.keyID, chunkSizeLog2: 11), "chunk log2 11"
        ) { $0.isInvalidArgument }
        assertThrowsCipherError(
            try SealingEncoder(dataKey: Fixture.dataKey, keyID: Fixture.keyID, chunkSizeLog2: 25), "chunk log2 25"
        ) { $0.isInvalidArgument }
        assertThrowsCipherError(
            try SealingEncoder(dataKey: Array(Fixture.dataKey.prefix(16)), keyID: Fixture.keyID), "short data key"
        ) { $0.isInvalidArgument }
        assertThrowsCipherError(try SealingEncoder(dataKey: Fixture.dataKey, keyID: [1, 2, 3]), "short key id") {
            $0.isInvalidArgument
        }
        assertThrowsCipherError(
            try SealingEncoder(dataKey: Fixture.dataKey, keyID: Fixture.keyID, salt: [1]), "short salt"
        ) { $0.isInvalidArgument }
    }

    func testLargestAndSmallestChunkSizesRoundTrip() throws {
        for log2 in [12, 24] {
            let plaintext = try SecureRandom.bytes((1 << log2) + 1000)
            let sealed = try seal(plaintext, dataKey: Fixture.dataKey, keyID: Fixture.keyID, chunkSizeLog2: log2)
            XCTAssertEqual(sealed.count, Fixture.sealedSize(plaintext.count, chunkSize: 1 << log2))
            XCTAssertEqual(try OpeningDecoder.open(sealed, keyLookup: Fixture.lookup), plaintext)
        }
    }
}
