// AWSProfileLoader: the edge for the AWS CLI's shared files. It reads ~/.aws/config and ~/.aws/credentials (or
// where AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE point) and hands what it found to S3Protocol's
// CredentialChain, which parses the text and decides; the file system is touched here and nowhere below.
import Foundation
import S3Protocol

public enum AWSProfileLoader {
    /// Credentials (and the config file's region for the profile) the way AWS tools find them: the
    /// environment, then the profile files under `homeDirectory`. The credentials file is read only when the
    /// environment has no key pair.
    public static func resolve(environment: [String: String], homeDirectory: String) throws
        -> (credentials: AWSCredentials, region: String?)
    {
        let paths = CredentialChain.sharedFilePaths(environment: environment, homeDirectory: homeDirectory)
        return try CredentialChain.resolve(
            environment: environment, configFile: read(paths.config),
            credentialsFile: { read(paths.credentials) })
    }

    /// A missing file is `.absent`; one that exists but yields no bytes (permissions, a directory) is
    /// `.unreadable`, which CredentialChain reports naming the path.
    static func read(_ path: String) -> AWSSharedFile {
        guard FileManager.default.fileExists(atPath: path) else { return AWSSharedFile(path: path, contents: .absent) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return AWSSharedFile(path: path, contents: .unreadable)
        }
        return AWSSharedFile(path: path, contents: .text(String(decoding: data, as: UTF8.self)))
    }
}
