// StoreFactory: turns the configured repository location into a BlobStore: a LocalStore for file://, an
// S3Store for s3:// (credentials the way AWS tools read them; TLS verified unless explicitly disabled).
// It is the one place where stores get their decorators:
// - S3 requests: signed and sent by S3HTTPExecutor, logged per attempt when tracing, retried by
//   S3RetryingExecutor (retries are per request so each part and range is replayed on its own: see
//   S3RequestExecutor for why they are not a store-level wrapper).
// - Every store, when the logger traces: InterceptedStore with a LoggingInterceptor, one line per operation.
// Nothing above asks which store it got: it reads `capabilities` and uses the `archival` and `bucket` views.
import Configuration
import Foundation
import HTTPTransport
import Logging
import S3
import S3Protocol
import Storage

public enum StoreFactory {
    /// With a `logger` at trace level every store operation and every S3 request attempt is logged; otherwise
    /// no logging decorator is composed at all.
    public static func make(
        _ settings: RepositorySettings, create: Bool, environment: [String: String],
        logger: Logger? = nil
    ) throws -> BlobStore {
        let trace = logger.flatMap { $0.logLevel <= .trace ? $0 : nil }
        let store: BlobStore
        switch settings.location {
        case .file(let path):
            store = try LocalStore(root: path, create: create)
        case .s3(let bucket, let prefix):
            let configuration = try s3Configuration(settings, bucket: bucket, prefix: prefix, environment: environment)
            store = S3Store(configuration, executor: s3Executor(configuration, trace: trace))
        }
        guard let trace else { return store }
        return InterceptedStore(store, LoggingInterceptor(location: store.location) { trace.trace("\($0)") })
    }

    /// Sign and send, log each attempt (when tracing) inside the retries so every retry shows, retry transient
    /// failures up to `configuration.maxAttempts` attempts.
    static func s3Executor(_ configuration: S3Configuration, trace: Logger?) -> any S3RequestExecutor {
        var executor: any S3RequestExecutor = S3HTTPExecutor(configuration)
        if let trace { executor = S3LoggingExecutor(executor) { trace.trace("\($0)") } }
        return S3RetryingExecutor(executor, maxAttempts: configuration.maxAttempts)
    }

    /// The S3 credentials the way AWS tools find them: the environment, then the profile files under HOME.
    static func awsCredentials(environment: [String: String]) throws -> AWSCredentials {
        let home = environment["HOME"] ?? NSHomeDirectory()
        return try AWSProfileLoader.resolve(environment: environment, homeDirectory: home).credentials
    }

    static func s3Configuration(
        _ settings: RepositorySettings, bucket: String, prefix: String,
        environment: [String: String]
    ) throws -> S3Configuration {
        let credentials = try awsCredentials(environment: environment)
        let endpoint: URL
        if let configured = settings.endpoint {
            guard let url = URL(string: configured), url.host != nil else {
                throw EngineError.invalidArgument(
                    "repository.endpoint '\(configured)' is not a URL",
                    hint: "use e.g. https://s3.example.com or http://127.0.0.1:9000")
            }
            endpoint = url
        } else {
            endpoint = S3Configuration.awsEndpoint(region: settings.region)
        }
        let transport = TransportOptions(verifyTLS: !settings.insecureSkipTLSVerify, caFile: settings.caFile)
        return S3Configuration(
            bucket: bucket, prefix: prefix, endpoint: endpoint, region: settings.region,
            addressing: settings.addressing == .virtual ? .virtual : .path, credentials: credentials,
            transport: transport, dataStorageClass: settings.storageClass,
            metadataStorageClass: settings.metadataStorageClass, partSize: settings.partSize,
            rangeSize: settings.rangeSize, parallel: settings.parallel,
            serverSideEncryption: settings.sse, sseKMSKeyId: settings.sseKMSKeyID)
    }
}
