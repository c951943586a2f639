// MD5: only for S3's Content-MD5 header, which AWS requires on uploads under Object Lock and on the
// retention and legal-hold requests. It is a transport integrity check there, never a security property:
// everything Lifeboat relies on for integrity is SHA-256 or AES-GCM.
import CLibCrypto

public enum MD5 {
    public static let digestSize = 16

    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: digestSize)
        var length: UInt32 = 0
        let rc = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer {
                EVP_Digest(input.baseAddress, input.count, $0.baseAddress, &length, EVP_md5(), nil)
            }
        }
        // Like SHA256Hasher: a one-shot digest of memory has no failure mode short of a broken libcrypto.
        precondition(rc == 1 && length == 16, "EVP_Digest(MD5) failed: \(OpenSSL.drainErrorQueue())")
        return digest
    }
}
