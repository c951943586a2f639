// TransportError: every way an HTTP exchange can fail below the HTTP status level. Messages name the
// server as 'host[:port]' only: a URL's path and query (which may hold a presigned signature) never appear.
// Errors thrown by a caller's BodySource or sink are rethrown unchanged, not wrapped in this type.
import Diagnostics

public enum TransportError: LifeboatError, Equatable {
    /// The connection could not be made or broke: refused, unresolvable name, reset, closed mid-body.
    case connection(host: String, detail: String)
    /// The connect timeout or the low-speed limit fired.
    case timeout(host: String, detail: String)
    /// The TLS handshake or the certificate verification failed.
    case tls(host: String, detail: String)
    /// The transfer was stopped without an error from the caller's callbacks to rethrow.
    case aborted(String)
    /// The request or the options cannot be sent as given: malformed URL, unsupported scheme, a header
    /// that is not a valid HTTP field, a body source shorter or longer than its declared length.
    case invalidArgument(String)
    /// Any other libcurl failure; `detail` names the host and carries curl's own message.
    case curl(code: Int, detail: String)

    public var exitStatus: ExitStatus { .failure }

    /// True when the same request may succeed if retried: the network or server misbehaved, not the
    /// request or the trust configuration.
    public var isTransient: Bool {
        switch self {
        case .connection, .timeout: return true
        case .tls, .aborted, .invalidArgument, .curl: return false
        }
    }

    public var message: String {
        switch self {
        case .connection(let host, let detail):
            return "connection to '\(host)' failed: \(detail)"
        case .timeout(let host, let detail):
            return "request to '\(host)' timed out: \(detail)"
        case .tls(let host, let detail):
            return "tls with '\(host)' failed: \(detail)"
        case .aborted(let detail):
            return "http transfer aborted: \(detail)"
        case .invalidArgument(let detail):
            return "invalid http request: \(detail)"
        case .curl(let code, let detail):
            return "http request failed with curl error '\(code)': \(detail)"
        }
    }

    public var hint: String? {
        switch self {
        case .connection(let host, _):
            return "check that the endpoint '\(host)' is correct, reachable from this machine and running; "
                + "the request can be retried"
        case .timeout(let host, _):
            return "the network or '\(host)' stalled; check connectivity, or raise the connect timeout or "
                + "low-speed limits in the configuration"
        case .tls(let host, _):
            return "check that '\(host)' speaks https on this port and that its certificate is valid for that "
                + "name; for a private CA set the ca file in the configuration"
        case .invalidArgument:
            return "check the endpoint url in the configuration; otherwise this is a lifeboat bug, please report it"
        case .aborted, .curl:
            return nil
        }
    }
}
