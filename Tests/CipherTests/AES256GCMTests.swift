// AES-256-GCM against McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test cases 13-16
// (the 256-bit-key cases with 96-bit IVs), plus tamper and misuse checks.
import Cipher
import Diagnostics
import TestSupport
import XCTest

final class AES256GCMTests: XCTestCase {
    struct Vector {
        let name: String
        let key, iv, aad, plaintext, ciphertext, tag: [UInt8]
    }

    static let gcmKey = "feffe9928665731c6d6a8f9467308308 feffe9928665731c6d6a8f9467308308"
    static let gcmPlaintext = """
        d9313225f88406e5a55909c5aff5269a 86a7a9531534f7da2e4c303d8a318a72
        1c3c0c95956809532fcf0e2449a6b525 b16aedf5aa0de657ba637b391aafd255
        """
    static let gcmCiphertext = """
        522dc1f099567d07f47f37a32a84427d 643a8cdcbfe5c0c97598a2bd2555d1aa
        8cb08e48590dbb3da7b08b1056828838 c5f61e6393ba7a0abcc9f662898015ad
        """

    var vectors: [Vector] {
        [
            Vector(
                name: "test case 13", key: [UInt8](repeating: 0, count: 32), iv: [UInt8](repeating: 0, count: 12),
                aad: [], plaintext: [], ciphertext: [], tag: hex("530f8afbc74536b9a963b4f1c4cb738b")),
            Vector(
                name: "test case 14", key: [UInt8](repeating: 0, count: 32), iv: [UInt8](repeating: 0, count: 12),
                aad: [], plaintext: [UInt8](repeating: 0, count: 16),
                ciphertext: hex("cea7403d4d606b6e074ec5d3baf39d18"), tag: hex("d0d1c8a799996bf0265b98b5d48ab919")),
            Vector(
                name: "test case 15", key: hex(Self.gcmKey), iv: hex("cafebabefacedbaddecaf888"), aad: [],
                plaintext: hex(Self.gcmPlaintext), ciphertext: hex(Self.gcmCiphertext),
                tag: hex("b094dac5d93471bdec1a502270e3cc6c")),
            Vector(
                name: "test case 16", key: hex(Self.gcmKey), iv: hex("cafebabefacedbaddecaf888"),
                aad: hex("feedfacedeadbeeffeedfacedeadbeef abaddad2"),
                plaintext: Array(hex(Self.gcmPlaintext).prefix(60)),
                ciphertext: Array(hex(Self.gcmCiphertext).prefix(60)),
                tag: hex("76fc6ece0f4e1768cddf8853bb2d551b")),
        ]
    }

    func testSealMatchesPublishedVectors() throws {
        for vector in vectors {
            let gcm = try AES256GCM(key: vector.key)
            let sealed = try gcm.seal(nonce: vector.iv, aad: vector.aad, plaintext: vector.plaintext)
            XCTAssertEqual(Hex.encode(sealed), Hex.encode(vector.ciphertext + vector.tag), vector.name)
        }
    }

    func testOpenMatchesPublishedVectors() throws {
        for vector in vectors {
            let gcm = try AES256GCM(key: vector.key)
            let opened = try gcm.open(nonce: vector.iv, aad: vector.aad, sealed: vector.ciphertext + vector.tag)
            XCTAssertEqual(opened, vector.plaintext, vector.name)
        }
    }

    func testTamperedVectorsFailAuthentication() throws {
        for vector in vectors {
            let gcm = try AES256GCM(key: vector.key)
            let good = vector.ciphertext + vector.tag
            var badTag = good
            badTag[badTag.count - 1] ^= 0x01
            assertThrowsCipherError(
                try gcm.open(nonce: vector.iv, aad: vector.aad, sealed: badTag), "tag flip (\(vector.name))"
            ) { $0.isAuthenticationFailure }
            if !vector.ciphertext.isEmpty {
                var badCiphertext = good
                badCiphertext[0] ^= 0x80
                assertThrowsCipherError(
                    try gcm.open(nonce: vector.iv, aad: vector.aad, sealed: badCiphertext), "ciphertext flip"
                ) { $0.isAuthenticationFailure }
            }
            assertThrowsCipherError(try gcm.open(nonce: vector.iv, aad: vector.aad + [0], sealed: good), "aad change") {
                $0.isAuthenticationFailure
            }
            var otherNonce = vector.iv
            otherNonce[11] ^= 0x01
            assertThrowsCipherError(try gcm.open(nonce: otherNonce, aad: vector.aad, sealed: good), "nonce change") {
                $0.isAuthenticationFailure
            }
            // The context must still work after a failure (error queue cleared, state reset by the next nonce).
            XCTAssertEqual(try gcm.open(nonce: vector.iv, aad: vector.aad, sealed: good), vector.plaintext)
        }
    }

    func testFailedOpenWipesCallerOutput() throws {
        let vector = vectors[2]
        let gcm = try AES256GCM(key: vector.key)
        var sealed = vector.ciphertext + vector.tag
        sealed[sealed.count - 1] ^= 0xff
        var output = [UInt8](repeating: 0xaa, count: vector.plaintext.count)
        XCTAssertThrowsError(
            try sealed.withUnsafeBytes { input in
                try output.withUnsafeMutableBytes {
                    try gcm.open(
                        nonce: vector.iv, aad: UnsafeRawBufferPointer(start: nil, count: 0), input: input, output: $0)
                }
            })
        XCTAssertEqual(
            output, [UInt8](repeating: 0, count: output.count), "unauthenticated plaintext left in the output buffer")
    }

    func testContextIsReusableAcrossSealAndOpen() throws {
        var rng = SplitMix64(seed: 7)
        let gcm = try AES256GCM(key: randomBytes(32, &rng))
        for round in 0..<50 {
            let nonce = randomBytes(12, &rng)
            let aad = randomBytes(round % 7, &rng)
            let plaintext = randomBytes(Int.random(in: 0...3000, using: &rng), &rng)
            let sealed = try gcm.seal(nonce: nonce, aad: aad, plaintext: plaintext)
            XCTAssertEqual(sealed.count, plaintext.count + AES256GCM.tagSize)
            XCTAssertEqual(try gcm.open(nonce: nonce, aad: aad, sealed: sealed), plaintext)
        }
    }

    func testRejectsBadArguments() throws {
        assertThrowsCipherError(try AES256GCM(key: [UInt8](repeating: 0, count: 16)), "short key") {
            $0.isInvalidArgument
        }
        let gcm = try AES256GCM(key: [UInt8](repeating: 1, count: 32))
        assertThrowsCipherError(try gcm.seal(nonce: [0, 1, 2], aad: [], plaintext: [1]), "short nonce") {
            $0.isInvalidArgument
        }
        assertThrowsCipherError(
            try gcm.open(nonce: [UInt8](repeating: 0, count: 12), aad: [], sealed: [1, 2, 3]),
            "message shorter than a tag"
        ) { $0.isAuthenticationFailure }
        var small = [UInt8](repeating: 0, count: 10)
        assertThrowsCipherError(
            try [UInt8](repeating: 0, count: 10).withUnsafeBytes { input in
                try small.withUnsafeMutableBytes {
                    try gcm.seal(
                        nonce: [UInt8](repeating: 0, count: 12), aad: UnsafeRawBufferPointer(start: nil, count: 0),
                        input: input, output: $0)
                }
            }, "output too small"
        ) { $0.isInvalidArgument }
    }

    func testErrorsMapToExitStatuses() {
        XCTAssertEqual(CipherError.authenticationFailed("x").exitStatus, .integrity)
        XCTAssertEqual(CipherError.notSealedObject.exitStatus, .integrity)
        XCTAssertEqual(CipherError.unknownKey(keyIDHex: "00").exitStatus, .integrity)
        XCTAssertEqual(CipherError.truncated.exitStatus, .integrity)
        XCTAssertEqual(CipherError.trailingData.exitStatus, .integrity)
        XCTAssertEqual(CipherError.unsupportedFormat("x").exitStatus, .integrity)
        XCTAssertEqual(CipherError.invalidArgument("x").exitStatus, .failure)
        XCTAssertEqual(CipherError.openssl(function: "f", detail: "d").exitStatus, .failure)
        XCTAssertTrue(CipherError.truncated.description.contains("\nHINT: "))
    }
}
