// Shared helpers for the Cipher tests: hex literals, random bytes and pieces from the shared seeded generator,
// streaming in random pieces and error matching.
import Cipher
import TestSupport
import XCTest

/// Hex with optional spaces, for vectors typed in from RFCs and the GCM spec.
func hex(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [UInt8] {
    guard let bytes = Hex.decode(text.filter { !$0.isWhitespace }) else {
        XCTFail("bad hex literal '\(text)'", file: file, line: line)
        return []
    }
    return bytes
}

func randomBytes(_ count: Int, _ rng: inout SplitMix64) -> [UInt8] {
    (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
}

/// Splits `count` into random piece sizes, including empty pieces, up to `maxPiece`.
func randomPieces(_ count: Int, maxPiece: Int, _ rng: inout SplitMix64) -> [Range<Int>] {
    var ranges: [Range<Int>] = []
    var offset = 0
    while offset < count {
        let size = min(count - offset, Int.random(in: 0...maxPiece, using: &rng))
        ranges.append(offset..<(offset + size))
        offset += size
    }
    return ranges
}

func seal(
    _ plaintext: [UInt8], dataKey: [UInt8], keyID: [UInt8], chunkSizeLog2: Int = 12, salt: [UInt8]? = nil,
    pieces: [Range<Int>]? = nil
) throws -> [UInt8] {
    let encoder = try SealingEncoder(dataKey: dataKey, keyID: keyID, chunkSizeLog2: chunkSizeLog2, salt: salt)
    var output: [UInt8] = []
    let append: (UnsafeRawBufferPointer) -> Void = { output.append(contentsOf: $0) }
    try plaintext.withUnsafeBytes { all in
        for range in pieces ?? [0..<plaintext.count] {
            try encoder.update(UnsafeRawBufferPointer(rebasing: all[range]), emit: append)
        }
    }
    try encoder.finish(emit: append)
    return output
}

/// What a decoder emitted before it finished or failed; the tamper tests check that only authenticated
/// plaintext ever reaches the caller.
struct OpenOutcome {
    var emitted: [UInt8] = []
    var error: Error?
}

func openStreaming(
    _ sealed: [UInt8], keyLookup: @escaping ([UInt8]) -> [UInt8]?,
    pieces: [Range<Int>]? = nil
) -> OpenOutcome {
    let decoder = OpeningDecoder(keyLookup: keyLookup)
    var outcome = OpenOutcome()
    let append: (UnsafeRawBufferPointer) -> Void = { outcome.emitted.append(contentsOf: $0) }
    do {
        try sealed.withUnsafeBytes { all in
            for range in pieces ?? [0..<sealed.count] {
                try decoder.update(UnsafeRawBufferPointer(rebasing: all[range]), emit: append)
            }
        }
        try decoder.finish(emit: append)
    } catch {
        outcome.error = error
    }
    return outcome
}

func assertCipherError(
    _ error: Error?, _ description: String, file: StaticString = #filePath, line: UInt = #line,
    matches: (CipherError) -> Bool
) {
    guard let error else {
        XCTFail("expected \(description), but no error was thrown", file: file, line: line)
        return
    }
    guard let cipherError = error as? CipherError else {
        XCTFail("expected CipherError (\(description)), got \(error)", file: file, line: line)
        return
    }
    XCTAssertTrue(matches(cipherError), "expected \(description), got \(cipherError)", file: file, line: line)
}

func assertThrowsCipherError<T>(
    _ expression: @autoclosure () throws -> T, _ description: String,
    file: StaticString = #filePath, line: UInt = #line,
    matches: (CipherError) -> Bool
) {
    do {
        _ = try expression()
        XCTFail("expected \(description), but no error was thrown", file: file, line: line)
    } catch {
        assertCipherError(error, description, file: file, line: line, matches: matches)
    }
}

extension CipherError {
    var isAuthenticationFailure: Bool {
        if case .authenticationFailed = self { return true }
        return false
    }
    var isTruncated: Bool { self == .truncated }
    var isUnsupportedFormat: Bool {
        if case .unsupportedFormat = self { return true }
        return false
    }
    var isInvalidArgument: Bool {
        if case .invalidArgument = self { return true }
        return false
    }
}
