// AWSSharedFile: one of the AWS CLI's shared files (credentials or config) as the edge found it on disk.
// S3Protocol never opens files: whoever reads them (the S3 module's AWSProfileLoader) describes what was
// there, and CredentialChain decides with the same messages whether the file was absent, unreadable or text.

public struct AWSSharedFile: Sendable, Equatable {
    public enum Contents: Sendable, Equatable {
        /// Nothing exists at the path: the file is simply not a place credentials are found.
        case absent
        /// Something exists but could not be read (permissions, a directory): an error naming the path.
        case unreadable
        /// The file's text as UTF-8 (the loader replaces invalid bytes rather than refusing the file).
        case text(String)
    }

    /// Where the file was looked for, `~` already expanded; errors and "searched" lists name it.
    public var path: String
    public var contents: Contents

    public init(path: String, contents: Contents) {
        self.path = path
        self.contents = contents
    }
}
