// Errors of the S3 store: one message per failed operation, naming bucket and key (never a signed URL or a
// secret), with the server's advice and a summary of every attempt when retries were used up.
import Diagnostics

public enum S3Error: LifeboatError {
    case request(operation: String, status: Int, code: String?, message: String, hint: String, attempts: [String])
    case transport(operation: String, message: String, hint: String?, attempts: [String])
    case archived(key: String, storageClass: String)

    public var exitStatus: ExitStatus {
        switch self {
        case .request(_, let status, let code, _, _, _):
            switch code {
            case "InvalidAccessKeyId", "SignatureDoesNotMatch", "NoSuchBucket", "AuthorizationHeaderMalformed",
                "PermanentRedirect", "InvalidBucketName", "RequestTimeTooSkewed":
                return .usage
            default: return status == 301 ? .usage : .failure
            }
        case .transport, .archived: return .failure
        }
    }

    public var message: String {
        switch self {
        case .request(let operation, _, _, let message, _, let attempts),
            .transport(let operation, let message, _, let attempts):
            let tries =
                attempts.count > 1 ? " after \(attempts.count) attempts (\(attempts.joined(separator: "; ")))" : ""
            return "\(operation) failed: \(message)\(tries)"
        case .archived(let key, let storageClass):
            return
                "object '\(key)' is in archive storage class '\(storageClass)' and cannot be read until it is rehydrated"
        }
    }

    public var hint: String? {
        switch self {
        case .request(_, _, _, _, let hint, _): return hint
        case .transport(_, _, let hint, _): return hint
        case .archived:
            return
                "run 'lifeboat restore' with '--wait': it requests rehydration and waits until the objects are readable (standard tier: hours)"
        }
    }
}
