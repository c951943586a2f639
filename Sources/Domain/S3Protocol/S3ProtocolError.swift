// S3ProtocolError: what can go wrong before a request is sent (credentials) or after a response
// arrives (unreadable XML). Messages never carry secrets or the offending credentials-file line.
import Diagnostics

public enum S3ProtocolError: LifeboatError, Equatable {
    /// Nothing usable was found; `searched` lists every place that was looked at, in order.
    case noCredentials(searched: [String])
    /// One half of a key pair is present (e.g. AWS_ACCESS_KEY_ID without AWS_SECRET_ACCESS_KEY).
    case incompleteCredentials(source: String, missing: String)
    /// A credentials or config file line that is not a section, a setting, a comment or a continuation.
    case malformedCredentialsFile(path: String, line: Int)
    case unreadableCredentialsFile(path: String)
    /// The profile gets its keys from a mechanism Lifeboat does not implement (SSO, assume-role, process).
    case unsupportedProfile(profile: String, setting: String, path: String)
    case malformedResponse(String)

    public var exitStatus: ExitStatus {
        switch self {
        case .malformedResponse: return .failure
        default: return .usage
        }
    }

    public var message: String {
        switch self {
        case .noCredentials:
            return "no aws credentials found"
        case .incompleteCredentials(let source, let missing):
            return "incomplete aws credentials in \(source): '\(missing)' is missing"
        case .malformedCredentialsFile(let path, let line):
            return "malformed line \(line) in aws credentials file '\(path)'"
        case .unreadableCredentialsFile(let path):
            return "cannot read aws credentials file '\(path)'"
        case .unsupportedProfile(let profile, let setting, let path):
            return "aws profile '\(profile)' in '\(path)' uses '\(setting)', which lifeboat does not support"
        case .malformedResponse(let detail):
            return "malformed s3 response: \(detail)"
        }
    }

    public var hint: String? {
        switch self {
        case .noCredentials(let searched):
            return "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary "
                + "credentials), or add aws_access_key_id and aws_secret_access_key to a profile; "
                + "looked in: " + searched.joined(separator: "; ")
        case .incompleteCredentials(_, let missing):
            return "set '\(missing)' as well, or unset the other half so a profile is used"
        case .malformedCredentialsFile:
            return "each line must be a '[section]' header, a 'name = value' setting, an indented "
                + "continuation, or a comment starting with '#' or ';'"
        case .unreadableCredentialsFile:
            return "check the file's permissions, or point AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE elsewhere"
        case .unsupportedProfile:
            return "export static keys (for example with 'aws configure export-credentials --format env') "
                + "or give lifeboat a profile with aws_access_key_id and aws_secret_access_key"
        case .malformedResponse:
            return "check that the endpoint is an s3-compatible service and not a proxy or web page"
        }
    }
}
