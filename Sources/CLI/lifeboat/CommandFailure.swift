// Errors raised by the command layer itself.
import Diagnostics

enum CommandFailure: LifeboatError {
    case unsupported(String, hint: String)
    case verificationFailed(count: Int)

    var exitStatus: ExitStatus {
        switch self {
        case .unsupported: return .usage
        case .verificationFailed: return .integrity
        }
    }

    var message: String {
        switch self {
        case .unsupported(let text, _): return text
        case .verificationFailed(let count): return "\(count) object(s) failed verification"
        }
    }

    var hint: String? {
        switch self {
        case .unsupported(_, let hint): return hint
        case .verificationFailed: return "do not rely on the backups listed above; take a new backup and investigate the repository storage"
        }
    }
}
