// ByteSize: sizes written by people ("16MiB") or as plain byte counts. Only binary units are accepted:
// "MB" is ambiguous (10^6 or 2^20 depending on who wrote it), so it is refused with the accepted forms.

import Foundation

public enum ByteSize {
    /// How accepted sizes are written, for error messages.
    public static let acceptedForms =
        "an integer number of bytes, or an integer followed by 'KiB', 'MiB' or 'GiB' (e.g. '16MiB')"

    public static let kibibyte = 1024
    public static let mebibyte = 1024 * 1024
    public static let gibibyte = 1024 * 1024 * 1024

    /// The number of bytes `text` denotes (`"16MiB"`, `"16 MiB"`, `"512KiB"`, `"1048576"`), or nil when it is
    /// not one of the accepted forms or does not fit in an `Int`. Units are case-insensitive.
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let number = Int(digits) else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        guard let multiplier = multipliers[unit] else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
    }

    /// `bytes` in the largest binary unit that divides it exactly (`16777216` → `"16MiB"`).
    public static func format(_ bytes: Int) -> String {
        for (unit, size) in [("GiB", gibibyte), ("MiB", mebibyte), ("KiB", kibibyte)]
        where bytes != 0 && bytes % size == 0 {
            return "\(bytes / size)\(unit)"
        }
        return "\(bytes)"
    }

    private static let multipliers: [String: Int] = ["": 1, "kib": kibibyte, "mib": mebibyte, "gib": gibibyte]
}
