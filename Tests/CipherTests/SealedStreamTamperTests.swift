// Sealed-object stream under attack: every bit flip, every truncation, reordered, dropped, duplicated and
// appended chunks, wrong and unknown keys. Each case must fail, and the decoder may only ever have emitted
// plaintext of chunks that authenticated (whole chunks, in order, before the damage).
import Cipher
import TestSupport
import XCTest

final class SealedStreamTamperTests: XCTestCase {
    let c = Fixture.chunkSize
    var sealedChunk: Int { c + 16 }
    lazy var plaintext = Fixture.plaintext(2 * c + 100)  // chunks of c, c and 100 bytes
    lazy var sealed: [UInt8] = (try? seal(plaintext, dataKey: Fixture.dataKey, keyID: Fixture.keyID)) ?? []

    /// Byte range of sealed chunk `index` (the last one is short).
    func chunkRange(_ index: Int) -> Range<Int> {
        let start = 60 + index * sealedChunk
        return start..<min(start + sealedChunk, sealed.count)
    }

    func assertOnlyAuthenticatedPlaintext(
        _ outcome: OpenOutcome, wholeChunks: Int? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(outcome.emitted.count % c, 0, "emitted a partial chunk", file: file, line: line)
        XCTAssertEqual(
            outcome.emitted, Array(plaintext.prefix(outcome.emitted.count)), "emitted wrong plaintext", file: file,
            line: line)
        XCTAssertLessThan(
            outcome.emitted.count, plaintext.count, "emitted everything despite tampering", file: file, line: line)
        if let wholeChunks {
            XCTAssertEqual(
                outcome.emitted.count, wholeChunks * c, "chunks emitted before the damage", file: file, line: line)
        }
    }

    func testFixtureIsThreeChunks() throws {
        XCTAssertEqual(sealed.count, 60 + 2 * sealedChunk + 116)
        XCTAssertEqual(try OpeningDecoder.open(sealed, keyLookup: Fixture.lookup), plaintext)
    }

    func testEveryHeaderBitFlipIsRejected() {
        for position in 0..<60 {
            for bit in 0..<8 {
                var damaged = sealed
                damaged[position] ^= 1 << bit
                let outcome = openStreaming(damaged, keyLookup: Fixture.lookup)
                XCTAssertEqual(outcome.emitted, [], "header byte \(position) bit \(bit) emitted plaintext")
                assertCipherError(outcome.error, "rejection of header byte \(position) bit \(bit)") { error in
                    switch position {
                    case 0..<8: return error == .notSealedObject
                    case 8, 9, 11: return error.isUnsupportedFormat
                    case 10: return error.isUnsupportedFormat || error.isAuthenticationFailure
                    case 12..<28: if case .unknownKey = error { return true } else { return false }
                    default: return error.isAuthenticationFailure  // salt: a different object key
                    }
                }
            }
        }
    }

    func testEveryBodyByteFlipFailsAuthentication() {
        var rng = SplitMix64(seed: 1)
        for position in 60..<sealed.count {
            var damaged = sealed
            damaged[position] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            let outcome = openStreaming(
                damaged, keyLookup: Fixture.lookup,
                pieces: randomPieces(damaged.count, maxPiece: 3000, &rng))
            assertCipherError(outcome.error, "authentication failure at byte \(position)") {
                $0.isAuthenticationFailure
            }
            assertOnlyAuthenticatedPlaintext(outcome, wholeChunks: (position - 60) / sealedChunk)
        }
    }

    func testEveryTruncationFails() {
        for length in 0..<sealed.count {
            let outcome = openStreaming(Array(sealed.prefix(length)), keyLookup: Fixture.lookup)
            assertCipherError(outcome.error, "truncation to \(length) bytes") {
                $0.isTruncated || $0.isAuthenticationFailure
            }
            assertOnlyAuthenticatedPlaintext(outcome)
        }
    }

    func testTruncationAtChunkBoundaries() {
        let atHeader = openStreaming(Array(sealed.prefix(60)), keyLookup: Fixture.lookup)
        assertCipherError(atHeader.error, "truncated after the header") { $0.isTruncated }
        for chunks in 1...2 {
            let outcome = openStreaming(Array(sealed.prefix(60 + chunks * sealedChunk)), keyLookup: Fixture.lookup)
            // The last full chunk is read as the final one; its nonce flag does not match.
            assertCipherError(outcome.error, "truncated after \(chunks) chunks") {
                $0 == .authenticationFailed("chunk '\(chunks - 1)' of the sealed object")
            }
            assertOnlyAuthenticatedPlaintext(outcome, wholeChunks: chunks - 1)
        }
        let empty = openStreaming([], keyLookup: Fixture.lookup)
        assertCipherError(empty.error, "empty input") { $0.isTruncated }
    }

    func testReorderedDroppedAndDuplicatedChunksFail() {
        let header = Array(sealed[0..<60])
        let chunks = (0..<3).map { Array(sealed[chunkRange($0)]) }
        let layouts: [(String, [Int], Int)] = [
            ("swap 0 and 1", [1, 0, 2], 0),
            ("swap 1 and 2", [0, 2, 1], 1),
            ("drop 1", [0, 2], 1),
            ("drop 0", [1, 2], 0),
            ("duplicate 0", [0, 0, 1, 2], 1),
            ("final first", [2, 0, 1], 0),
        ]
        for (name, order, goodChunks) in layouts {
            let damaged = header + order.flatMap { chunks[$0] }
            let outcome = openStreaming(damaged, keyLookup: Fixture.lookup)
            assertCipherError(outcome.error, name) { $0.isAuthenticationFailure }
            assertOnlyAuthenticatedPlaintext(outcome, wholeChunks: goodChunks)
        }
    }

    func testAppendedDataFails() throws {
        let other = try seal(Fixture.plaintext(50), dataKey: Fixture.dataKey, keyID: Fixture.keyID)
        let suffixes: [(String, [UInt8])] = [
            ("one byte", [0]),
            ("a tag's worth", [UInt8](repeating: 0, count: 16)),
            ("the final chunk again", Array(sealed[chunkRange(2)])),
            ("more than a chunk", [UInt8](repeating: 7, count: 5000)),
            ("a whole second object", other),
        ]
        for (name, suffix) in suffixes {
            let outcome = openStreaming(sealed + suffix, keyLookup: Fixture.lookup)
            assertCipherError(outcome.error, "appended \(name)") { $0.isAuthenticationFailure }
            assertOnlyAuthenticatedPlaintext(outcome)
        }
        // A single-chunk object followed by enough data to look like more chunks.
        let small = try seal(Fixture.plaintext(10), dataKey: Fixture.dataKey, keyID: Fixture.keyID)
        let outcome = openStreaming(small + [UInt8](repeating: 1, count: 2 * c), keyLookup: Fixture.lookup)
        assertCipherError(outcome.error, "appended to a single chunk") { $0.isAuthenticationFailure }
        XCTAssertEqual(outcome.emitted, [])
    }

    func testWrongDataKeyFailsAuthentication() {
        let outcome = openStreaming(sealed) { _ in [UInt8](repeating: 0x55, count: 32) }
        assertCipherError(outcome.error, "wrong key") { $0 == .authenticationFailed("chunk '0' of the sealed object") }
        XCTAssertEqual(outcome.emitted, [])
    }

    func testUnknownKeyIDIsReported() {
        let decoder = OpeningDecoder { _ in nil }
        XCTAssertThrowsError(try sealed.withUnsafeBytes { try decoder.update($0, emit: { _ in XCTFail("emitted") }) }) {
            error in
            XCTAssertEqual(error as? CipherError, .unknownKey(keyIDHex: "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"))
            XCTAssertEqual((error as? CipherError)?.exitStatus, .integrity)
        }
        XCTAssertEqual(decoder.keyID, Fixture.keyID)
    }

    func testHeaderFromAnotherObjectFails() throws {
        let other = try seal(plaintext, dataKey: Fixture.dataKey, keyID: Fixture.keyID)
        let spliced = Array(other[0..<60]) + Array(sealed[60...])
        let outcome = openStreaming(spliced, keyLookup: Fixture.lookup)
        assertCipherError(outcome.error, "spliced header") { $0.isAuthenticationFailure }
        XCTAssertEqual(outcome.emitted, [])
    }

    func testGarbageFailsFastAndDecoderStaysFailed() {
        let decoder = OpeningDecoder(keyLookup: Fixture.lookup)
        let garbage = Array("PGDMP custom dump, not a sealed object".utf8)
        XCTAssertThrowsError(try garbage.withUnsafeBytes { try decoder.update($0, emit: { _ in }) }) {
            XCTAssertEqual($0 as? CipherError, .notSealedObject)
        }
        XCTAssertThrowsError(try decoder.finish(emit: { _ in })) {
            XCTAssertEqual($0 as? CipherError, .notSealedObject, "a failed decoder must keep failing")
        }
    }

    func testUnauthenticatedFinalChunkIsNeverEmitted() {
        var damaged = sealed
        damaged[damaged.count - 1] ^= 0x01  // last tag byte
        let outcome = openStreaming(damaged, keyLookup: Fixture.lookup)
        assertCipherError(outcome.error, "bad final tag") {
            $0 == .authenticationFailed("chunk '2' of the sealed object")
        }
        XCTAssertEqual(outcome.emitted, Array(plaintext.prefix(2 * c)))
    }
}
