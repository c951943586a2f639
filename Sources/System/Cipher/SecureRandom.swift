// SecureRandom: key, salt and nonce material from OpenSSL's CSPRNG.
import CLibCrypto

public enum SecureRandom {
    public static func bytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0 else { throw CipherError.invalidArgument("random byte count '\(count)' is negative") }
        let length = try OpenSSL.int32Length(count, "random request")
        var result = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return result }
        let rc = result.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, length) }
        try OpenSSL.check(rc, "RAND_bytes")
        return result
    }
}
