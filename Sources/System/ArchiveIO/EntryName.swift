// EntryName: the one rule for which tar entry names are safe to write and to restore from.
// Checked on both sides so Lifeboat never writes, and never hands a restorer, a name that escapes its directory.

public enum EntryName {
    /// Rejects empty names, absolute paths, any `..` component and NUL bytes.
    public static func validate(_ name: String) throws {
        guard isSafe(name) else { throw ArchiveError.unsafeEntryName(name) }
    }

    static func isSafe(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.utf8.contains(0) else { return false }
        return !name.split(separator: "/", omittingEmptySubsequences: false).contains("..")
    }
}
