// ScryptCost: the scrypt parameters of a passphrase key slot, and the cap readers hold them to (docs/format.md §5.2).
// Unlocking with a passphrase tries every passphrase slot, and each try costs 128·r·N bytes of memory before the
// tag can even fail. Slot files are plain JSON that anyone who can write the repository can plant, so a slot
// asking for N = 2^22, r = 32 (16 GiB per try) would take the machine down at restore time. Lifeboat never
// writes more than `written`, so a reader refuses anything costlier, without trying it.
public struct ScryptCost: Equatable, Sendable, CustomStringConvertible {
    public var n: UInt64
    public var r: UInt64
    public var p: UInt64

    public init(n: UInt64, r: UInt64, p: UInt64) {
        self.n = n
        self.r = r
        self.p = p
    }

    /// What `key add --passphrase-env` and `init` write: 128 MiB, about half a second.
    public static let written = ScryptCost(n: 1 << 17, r: 8, p: 1)

    /// The most a reader accepts. Equal to `written`: a Lifeboat that writes costlier slots raises both together.
    public static let cap = written

    /// True when no parameter exceeds the cap; cheaper slots only cost their own (weaker) protection.
    public var isWithinCap: Bool { n <= Self.cap.n && r <= Self.cap.r && p <= Self.cap.p }

    /// The memory one derivation needs (128·r·N for V plus 128·r·p for B), saturating instead of overflowing.
    public var memoryBytes: UInt64 {
        let (v, o1) = (128 as UInt64).multipliedReportingOverflow(by: r)
        let (vn, o2) = v.multipliedReportingOverflow(by: n)
        let (vp, o3) = v.multipliedReportingOverflow(by: p)
        let (sum, o4) = vn.addingReportingOverflow(vp)
        return o1 || o2 || o3 || o4 ? .max : sum
    }

    public var description: String { "N = \(n), r = \(r), p = \(p)" }
}
