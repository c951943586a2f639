// PathResolver: makes paths written in lifeboat.yml independent of the directory lifeboat is run from.
// Relative paths are taken relative to the configuration file's own directory, the way a reader of the file
// would expect. Normalisation is purely lexical: symbolic links are left for the file system to follow.

public enum PathResolver {
    /// `path` made absolute against `directory` (when relative) and normalised.
    public static func resolve(_ path: String, relativeTo directory: String) -> String {
        path.hasPrefix("/") ? normalize(path) : normalize(directory + "/" + path)
    }

    /// The directory containing `file`; "." for a bare file name.
    static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "." }
        let directory = String(file[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    /// Collapses repeated slashes, drops "." components and resolves ".." lexically (never above "/").
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".":
                continue
            case "..":
                if let last = parts.last, last != ".." {
                    parts.removeLast()
                } else if !absolute {
                    parts.append(component)
                }
            default:
                parts.append(component)
            }
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
