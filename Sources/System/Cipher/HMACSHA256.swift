// HMACSHA256: message authentication for HKDF, manifests and S3 SigV4 signing.
import CLibCrypto

public enum HMACSHA256 {
    public static let macSize = 32

    public static func authenticate(key: [UInt8], data: [UInt8]) throws -> [UInt8] {
        try key.withUnsafeBytes { key in
            try data.withUnsafeBytes { data in try authenticate(key: key, data: data) }
        }
    }

    static func authenticate(key: UnsafeRawBufferPointer, data: UnsafeRawBufferPointer) throws -> [UInt8] {
        let keyLength = try OpenSSL.int32Length(key.count, "hmac key")
        // OpenSSL treats a NULL key as "reuse the previous key"; always hand it a real pointer.
        var empty: UInt8 = 0
        var mac = [UInt8](repeating: 0, count: macSize)
        var macLength: UInt32 = 0
        let result = withUnsafeMutablePointer(to: &empty) { emptyPointer in
            mac.withUnsafeMutableBufferPointer { out in
                HMAC(
                    EVP_sha256(),
                    key.baseAddress ?? UnsafeRawPointer(emptyPointer), keyLength,
                    data.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(emptyPointer),
                    data.count, out.baseAddress, &macLength)
            }
        }
        _ = try OpenSSL.nonNull(result, "HMAC")
        guard macLength == macSize else {
            throw CipherError.openssl(function: "HMAC", detail: "unexpected mac length '\(macLength)'")
        }
        return mac
    }
}
