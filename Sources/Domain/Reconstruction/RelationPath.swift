// RelationPath: which tar entries of an incremental snapshot are delta entries. Only a relation file — in
// `global/`, `base/<dboid>/` or a tablespace's `PG_<major>_<catversion>/<dboid>/`, named `<digits>`, optionally
// `_fsm`, `_vm` or `_init`, optionally `.<segment>` — may be stored as a delta (docs/format.md §6.5); any other
// entry, whatever its name, is an ordinary file.
public enum RelationPath {
    /// The name of the relation file that the entry named by `components` (its path, split at "/") stands for
    /// when it is a delta entry of `form`; nil when the entry is an ordinary file.
    public static func deltaTarget(_ components: [String], form: DeltaForm) -> String? {
        guard let last = components.last, last.hasPrefix(form.prefix) else { return nil }
        let target = String(last.dropFirst(form.prefix.count))
        guard isRelationFileName(target), isRelationDirectory(components.dropLast()) else { return nil }
        return target
    }

    /// `<digits>[_fsm|_vm|_init][.<digits>]`.
    public static func isRelationFileName(_ name: String) -> Bool {
        var base = Substring(name)
        if let dot = base.firstIndex(of: ".") {
            guard isNumber(base[base.index(after: dot)...]) else { return false }
            base = base[..<dot]
        }
        for fork in ["_fsm", "_vm", "_init"] where base.hasSuffix(fork) {
            base = base.dropLast(fork.count)
            break
        }
        return isNumber(base)
    }

    /// `global`, `base/<digits>` or `PG_…/<digits>` (a tablespace's version directory).
    public static func isRelationDirectory(_ components: ArraySlice<String>) -> Bool {
        let names = Array(components)
        if names == ["global"] { return true }
        guard names.count == 2, isNumber(Substring(names[1])) else { return false }
        return names[0] == "base" || (names[0].hasPrefix("PG_") && names[0].count > 3)
    }

    static func isNumber(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 10 && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
