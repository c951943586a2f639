// RestoreSettings: how `lifeboat restore` writes a snapshot's files on this host.

public struct RestoreSettings: Sendable, Equatable, Codable {
    /// Large files of a snapshot restore bypass the page cache (O_DIRECT) where the file system supports it;
    /// false writes everything through the page cache (docs/format.md §6.3).
    public var directIO: Bool

    public init(directIO: Bool = true) {
        self.directIO = directIO
    }

    enum CodingKeys: String, CodingKey {
        case directIO = "direct_io"
    }
}
