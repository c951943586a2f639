// TarEntry: the header of one regular-file entry as a reader hands it out.
import Foundation

public struct TarEntry: Sendable, Equatable {
    /// A validated relative name (see `EntryName.validate`).
    public let name: String
    /// The exact number of data bytes that follow the header.
    public let size: Int64
    /// Permission bits only (`0o7777`); the file type is always "regular file".
    public let mode: Int32
    /// Whole seconds: the tar header has no sub-second precision and Lifeboat writes none.
    public let modificationTime: Date

    public init(name: String, size: Int64, mode: Int32, modificationTime: Date) {
        self.name = name
        self.size = size
        self.mode = mode
        self.modificationTime = modificationTime
    }
}
