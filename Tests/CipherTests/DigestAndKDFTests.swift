// SHA-256 (FIPS 180-2 examples), HMAC-SHA256 (RFC 4231), HKDF-SHA256 (RFC 5869 cases 1-3),
// scrypt (RFC 7914 section 12), hex and the CSPRNG.
import Cipher
import TestSupport
import XCTest

final class DigestAndKDFTests: XCTestCase {
    func testSHA256KnownAnswers() throws {
        XCTAssertEqual(
            Hex.encode(SHA256Hasher.hash(Array("abc".utf8))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(
            Hex.encode(SHA256Hasher.hash([])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            Hex.encode(SHA256Hasher.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    func testSHA256StreamingMatchesOneShotAndResets() throws {
        var rng = SplitMix64(seed: 3)
        let data = randomBytes(100_000, &rng)
        let hasher = try SHA256Hasher()
        for range in randomPieces(data.count, maxPiece: 5000, &rng) {
            hasher.update(Array(data[range]))
        }
        XCTAssertEqual(hasher.finalize(), SHA256Hasher.hash(data))
        hasher.update(Array("abc".utf8))
        XCTAssertEqual(
            Hex.encode(hasher.finalize()), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    func testHMACSHA256RFC4231() throws {
        let cases: [(key: [UInt8], data: [UInt8], mac: String)] = [
            (
                [UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
            ),
            (
                Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ),
            (
                [UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
            ),
            (
                Array(1...25), [UInt8](repeating: 0xcd, count: 50),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
            ),
            (
                [UInt8](repeating: 0xaa, count: 131),
                Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
            (
                [UInt8](repeating: 0xaa, count: 131),
                Array(
                    "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
                        .utf8),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
            ),
        ]
        for (index, testCase) in cases.enumerated() {
            XCTAssertEqual(
                Hex.encode(try HMACSHA256.authenticate(key: testCase.key, data: testCase.data)), testCase.mac,
                "rfc 4231 case \(index)")
        }
        // Case 5 publishes only the first 128 bits.
        let truncated = try HMACSHA256.authenticate(
            key: [UInt8](repeating: 0x0c, count: 20), data: Array("Test With Truncation".utf8))
        XCTAssertEqual(Hex.encode(truncated.prefix(16)), "a3b6167473100ee06e0c796c2955552b")
    }

    func testHMACAcceptsEmptyKeyAndData() throws {
        let mac = try HMACSHA256.authenticate(key: [], data: [])
        XCTAssertEqual(Hex.encode(mac), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    func testHKDFRFC5869() throws {
        let case1 = try HKDF.sha256(
            ikm: [UInt8](repeating: 0x0b, count: 22), salt: Array(0x00...0x0c),
            info: Array(0xf0...0xf9), length: 42)
        XCTAssertEqual(
            Hex.encode(case1), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
        let case2 = try HKDF.sha256(
            ikm: Array(0x00...0x4f), salt: Array(0x60...0xaf), info: Array(0xb0...0xff), length: 82)
        XCTAssertEqual(
            Hex.encode(case2),
            """
            b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87
            """)
        let case3 = try HKDF.sha256(ikm: [UInt8](repeating: 0x0b, count: 22), salt: [], info: [], length: 42)
        XCTAssertEqual(
            Hex.encode(case3), "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
        assertThrowsCipherError(try HKDF.sha256(ikm: [1], salt: [], info: [], length: 255 * 32 + 1), "too long") {
            $0.isInvalidArgument
        }
    }

    func testScryptRFC7914() throws {
        let first = try Scrypt.derive(password: [], salt: [], n: 16, r: 1, p: 1, length: 64)
        XCTAssertEqual(
            Hex.encode(first),
            """
            77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906
            """)
        let second = try Scrypt.derive(
            password: Array("password".utf8), salt: Array("NaCl".utf8), n: 1024, r: 8, p: 16, length: 64)
        XCTAssertEqual(
            Hex.encode(second),
            """
            fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640
            """)
        let third = try Scrypt.derive(
            password: Array("pleaseletmein".utf8), salt: Array("SodiumChloride".utf8),
            n: 16384, r: 8, p: 1, length: 64)
        XCTAssertEqual(
            Hex.encode(third),
            """
            7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887
            """)
    }

    /// N = 2^17, r = 8 needs 128 MiB, above OpenSSL's 32 MiB default cap: proves maxmem is passed.
    func testScryptAboveDefaultMemoryCap() throws {
        let key = try Scrypt.derive(
            password: Array("correct horse".utf8), salt: [UInt8](repeating: 7, count: 16),
            n: 1 << 17, r: 8, p: 1, length: 32)
        XCTAssertEqual(key.count, 32)
        XCTAssertNotEqual(key, [UInt8](repeating: 0, count: 32))
    }

    func testScryptRejectsBadParameters() {
        assertThrowsCipherError(
            try Scrypt.derive(password: [1], salt: [1], n: 1000, r: 8, p: 1, length: 32), "n not a power of two"
        ) { $0.isInvalidArgument }
        assertThrowsCipherError(try Scrypt.derive(password: [1], salt: [1], n: 1024, r: 0, p: 1, length: 32), "r zero")
        { $0.isInvalidArgument }
        assertThrowsCipherError(
            try Scrypt.derive(password: [1], salt: [1], n: 1 << 62, r: 1 << 40, p: 1, length: 32), "overflow"
        ) { $0.isInvalidArgument }
    }

    func testHexRoundTripAndRejection() {
        XCTAssertEqual(Hex.encode([0x00, 0x0f, 0xa5, 0xff]), "000fa5ff")
        XCTAssertEqual(Hex.decode("000FA5ff"), [0x00, 0x0f, 0xa5, 0xff])
        XCTAssertEqual(Hex.decode(""), [])
        XCTAssertNil(Hex.decode("abc"))
        XCTAssertNil(Hex.decode("zz"))
        XCTAssertNil(Hex.decode("0g"))
    }

    func testSecureRandomProducesFreshBytes() throws {
        let a = try SecureRandom.bytes(32)
        let b = try SecureRandom.bytes(32)
        XCTAssertEqual(a.count, 32)
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(try SecureRandom.bytes(0), [])
        assertThrowsCipherError(try SecureRandom.bytes(-1), "negative count") { $0.isInvalidArgument }
    }
}
