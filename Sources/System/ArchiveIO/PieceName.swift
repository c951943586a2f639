// PieceName: how a stream of unknown length is named when it is split into tar entries ("base.000000", …).

enum PieceName {
    /// `"\(base).\(String(format: "%06d", index))"`, without Foundation's formatter in the per-piece path.
    static func make(_ base: String, _ index: Int) -> String {
        let digits = String(index)
        return base + "." + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    /// True for any name shaped like a piece of `base`, whatever its number: such a name out of sequence is
    /// corruption, not the start of the next stream.
    static func isPiece(_ name: String, of base: String) -> Bool {
        let prefix = base + "."
        guard name.hasPrefix(prefix) else { return false }
        let suffix = name.utf8.dropFirst(prefix.utf8.count)
        return suffix.count >= 6 && suffix.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }
}
