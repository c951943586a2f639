// Errors of the stream stages. Integrity errors name the object so the operator knows what is damaged.
import Diagnostics

public enum PipelineError: LifeboatError {
    case corruptObject(key: String, detail: String)
    case sizeMismatch(key: String, expected: Int64, actual: Int64)
    case checksumMismatch(key: String, expected: String, actual: String)
    case aborted

    public var exitStatus: ExitStatus {
        switch self {
        case .aborted: return .failure
        default: return .integrity
        }
    }

    public var message: String {
        switch self {
        case .corruptObject(let key, let detail): return "object '\(key)' failed authentication: \(detail)"
        case .sizeMismatch(let key, let expected, let actual):
            return "object '\(key)' has \(actual) bytes, the manifest records \(expected) (truncated or replaced)"
        case .checksumMismatch(let key, let expected, let actual):
            return "object '\(key)' has sha256 '\(actual)', the manifest records '\(expected)' (replaced or altered)"
        case .aborted: return "the operation was aborted"
        }
    }

    public var hint: String? {
        switch self {
        case .aborted: return nil
        default:
            return
                "the stored data is damaged or was tampered with, or the key is wrong; restore from another backup and run 'lifeboat verify --all'"
        }
    }
}
