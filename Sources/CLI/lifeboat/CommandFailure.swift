// Errors raised by the command layer itself.
import Engine

enum CommandFailure: LifeboatError {
    case unsupported(String, hint: String)

    var exitStatus: ExitStatus {
        switch self {
        case .unsupported: return .usage
        }
    }

    var message: String {
        switch self {
        case .unsupported(let text, _): return text
        }
    }

    var hint: String? {
        switch self {
        case .unsupported(_, let hint): return hint
        }
    }
}
