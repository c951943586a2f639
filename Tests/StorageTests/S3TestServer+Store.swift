// S3Store against the shared S3 test server: the configuration both S3 suites build, with the choices a test
// varies (bucket, endpoint or proxy, secret, part size, storage class, attempts, Object Lock) as parameters.
import Foundation
import HTTPTransport
import S3
import S3Protocol
import Storage
import TestSupport

extension S3TestServer {
    var endpointURL: URL { URL(string: endpoint)! }
    var proxyURL: URL { URL(string: proxy)! }
    var awsCredentials: AWSCredentials {
        AWSCredentials(accessKeyId: accessKeyID, secretAccessKey: secretAccessKey, sessionToken: nil)
    }

    /// A store on a fresh `tests/<random>` prefix, retrying without real waiting.
    func store(
        bucket: String? = nil, through url: URL? = nil, secret: String? = nil, partSize: Int = 5 << 20,
        dataClass: String? = nil, attempts: Int, lock: UploadObjectLock? = nil
    ) -> S3Store {
        var credentials = awsCredentials
        if let secret { credentials.secretAccessKey = secret }
        let configuration = S3Configuration(
            bucket: bucket ?? self.bucket, prefix: "tests/\(UUID().uuidString.prefix(8))", endpoint: url ?? endpointURL,
            region: region, addressing: .path, credentials: credentials,
            transport: TransportOptions(connectTimeout: 5, lowSpeedLimitBytesPerSecond: 1024, lowSpeedTime: 5),
            dataStorageClass: dataClass, partSize: partSize,
            rangeSize: partSize, parallel: 2, maxAttempts: attempts, objectLock: lock)
        return S3Store(configuration, sleeper: { _ in })
    }
}
