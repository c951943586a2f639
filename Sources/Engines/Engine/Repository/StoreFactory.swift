// StoreFactory: turns the configured repository location into a BlobStore: a LocalStore for file://, an
// S3Store for s3:// (credentials the way AWS tools read them; TLS verified unless explicitly disabled).
import Configuration
import Foundation
import HTTPTransport
import S3
import S3Protocol
import Storage

public enum StoreFactory {
    public static func make(_ settings: RepositorySettings, create: Bool, environment: [String: String]) throws -> BlobStore {
        switch settings.location {
        case .file(let path):
            return try LocalStore(root: path, create: create)
        case .s3(let bucket, let prefix):
            return S3Store(try s3Configuration(settings, bucket: bucket, prefix: prefix, environment: environment))
        }
    }

    /// The S3 credentials the way AWS tools find them: the environment, then the profile files under HOME.
    static func awsCredentials(environment: [String: String]) throws -> AWSCredentials {
        let home = environment["HOME"] ?? NSHomeDirectory()
        return try AWSProfileLoader.resolve(environment: environment, homeDirectory: home).credentials
    }

    static func s3Configuration(_ settings: RepositorySettings, bucket: String, prefix: String,
                                environment: [String: String]) throws -> S3Configuration {
        let credentials = try awsCredentials(environment: environment)
        let endpoint: URL
        if let configured = settings.endpoint {
            guard let url = URL(string: configured), url.host != nil else {
                throw EngineError.invalidArgument("repository.endpoint '\(configured)' is not a URL", hint: "use e.g. https://s3.example.com or http://127.0.0.1:9000")
            }
            endpoint = url
        } else {
            endpoint = S3Configuration.awsEndpoint(region: settings.region)
        }
        let transport = TransportOptions(verifyTLS: !settings.insecureSkipTLSVerify, caFile: settings.caFile)
        return S3Configuration(bucket: bucket, prefix: prefix, endpoint: endpoint, region: settings.region,
                               addressing: settings.addressing == .virtual ? .virtual : .path, credentials: credentials,
                               transport: transport, dataStorageClass: settings.storageClass,
                               metadataStorageClass: settings.metadataStorageClass, partSize: settings.partSize,
                               serverSideEncryption: settings.sse, sseKMSKeyId: settings.sseKMSKeyID)
    }
}
