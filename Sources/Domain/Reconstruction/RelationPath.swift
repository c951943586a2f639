// RelationPath: which tar entries of an incremental snapshot are delta entries. Only a relation file may be stored
// as a delta (docs/format.md §6.5; Catalog's RelationFileName says which entries are relation files, for the
// backup side too): an entry is a delta when its name is the form's prefix followed by a relation file's name in
// a relation directory. Any other entry, whatever its name, is an ordinary file.
import Catalog

public enum RelationPath {
    /// The name of the relation file that the entry named by `components` (its path, split at "/") stands for
    /// when it is a delta entry of `form`; nil when the entry is an ordinary file. `inTablespace`: the entry is
    /// in a tablespace's archive (relation directories `PG_<major>_<catversion>/<dboid>`), not the data directory's.
    public static func deltaTarget(_ components: [String], form: DeltaForm, inTablespace: Bool) -> String? {
        guard let last = components.last, last.hasPrefix(form.prefix) else { return nil }
        let target = String(last.dropFirst(form.prefix.count))
        let path = (components.dropLast() + [target]).joined(separator: "/")
        return RelationFileName(path, inTablespace: inTablespace) == nil ? nil : target
    }
}
