// Scrypt: password-based key derivation (RFC 7914) for wrapping the repository data key with a passphrase.
import CLibCrypto

public enum Scrypt {
    public static func derive(
        password: [UInt8], salt: [UInt8], n: UInt64, r: UInt64, p: UInt64,
        length: Int
    ) throws -> [UInt8] {
        guard n > 1, n & (n - 1) == 0 else {
            throw CipherError.invalidArgument("scrypt n '\(n)' is not a power of two > 1")
        }
        guard r > 0, p > 0 else { throw CipherError.invalidArgument("scrypt r and p must be positive") }
        guard length > 0 else { throw CipherError.invalidArgument("scrypt output length '\(length)' must be positive") }
        let maxMemory = try memoryBound(n: n, r: r, p: p)
        var key = [UInt8](repeating: 0, count: length)
        let rc = password.withUnsafeBufferPointer { pass in
            salt.withUnsafeBufferPointer { salt in
                key.withUnsafeMutableBufferPointer { out in
                    pass.withMemoryRebound(to: CChar.self) { pass in
                        EVP_PBE_scrypt(
                            pass.baseAddress, pass.count, salt.baseAddress, salt.count,
                            n, r, p, maxMemory, out.baseAddress, out.count)
                    }
                }
            }
        }
        try OpenSSL.check(rc, "EVP_PBE_scrypt")
        return key
    }

    /// OpenSSL refuses work above `maxmem` and caps at 32 MiB when given 0, which rejects N = 2^17. It needs
    /// 128·r·(N+2) bytes for V plus 128·r·p for B; allow that plus a MiB of slack, checked for overflow.
    private static func memoryBound(n: UInt64, r: UInt64, p: UInt64) throws -> UInt64 {
        let (v, o1) = (128 &* r).multipliedReportingOverflow(by: n + 2)
        let (b, o2) = (128 &* r).multipliedReportingOverflow(by: p)
        let (sum, o3) = v.addingReportingOverflow(b)
        let (total, o4) = sum.addingReportingOverflow(1 << 20)
        guard r < UInt64.max / 128, !(o1 || o2 || o3 || o4) else {
            throw CipherError.invalidArgument("scrypt parameters n '\(n)', r '\(r)', p '\(p)' need too much memory")
        }
        return total
    }
}
