// TarEntry: the header of one regular-file entry (or, when the reader allows them, one directory entry) as a
// reader hands it out.
import Foundation

public struct TarEntry: Sendable, Equatable {
    /// A validated relative name (see `EntryName.validate`).
    public let name: String
    /// The exact number of data bytes that follow the header.
    public let size: Int64
    /// Permission bits only (`0o7777`); the file type is "regular file" unless `isDirectory`.
    public let mode: Int32
    /// Whole seconds: the tar header has no sub-second precision and Lifeboat writes none.
    public let modificationTime: Date
    /// A directory entry (size 0, no data); only readers made with `allowDirectories: true` hand these out.
    public let isDirectory: Bool

    public init(name: String, size: Int64, mode: Int32, modificationTime: Date, isDirectory: Bool = false) {
        self.name = name
        self.size = size
        self.mode = mode
        self.modificationTime = modificationTime
        self.isDirectory = isDirectory
    }
}
