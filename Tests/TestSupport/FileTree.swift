// FileTree: the regular files below a directory, for tests that compare repositories or look for leftovers.
import Foundation

public enum FileTree {
    /// Paths (relative to `root`) of every regular file below it; directories are not listed.
    public static func regularFiles(below root: String) -> [String] {
        var files: [String] = []
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return files }
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                files.append(relative)
            }
        }
        return files
    }

    /// Every regular file below `root`: relative path → contents.
    public static func contents(below root: String) -> [String: Data] {
        var result: [String: Data] = [:]
        for relative in regularFiles(below: root) {
            result[relative] = FileManager.default.contents(atPath: root + "/" + relative)
        }
        return result
    }
}
