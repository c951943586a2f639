// PGError: what can go wrong talking to PostgreSQL, phrased for the user. Messages never carry passwords or
// full connection strings: connection targets are ConnectionInfo descriptions, libpq's texts are redacted.
import Diagnostics

public enum PGError: LifeboatError, Equatable {
    /// `target` is a redacted `user@host:port/db`; `detail` is libpq's reason.
    case connectionFailed(target: String, detail: String)
    /// `sqlState` is the five-character SQLSTATE, or empty when the failure happened on the client side.
    case queryFailed(sqlState: String, detail: String)
    case invalidConnectionString(String)
    case unexpectedResult(String)

    public var exitStatus: ExitStatus {
        switch self {
        case .invalidConnectionString: .usage
        case .connectionFailed, .queryFailed, .unexpectedResult: .failure
        }
    }

    public var message: String {
        switch self {
        case .connectionFailed(let target, let detail):
            "could not connect to '\(target)': \(detail)"
        case .queryFailed(let sqlState, let detail) where sqlState.isEmpty:
            "query failed: \(detail)"
        case .queryFailed(let sqlState, let detail):
            "query failed with sqlstate '\(sqlState)': \(detail)"
        case .invalidConnectionString(let reason):
            "invalid connection string: \(reason)"
        case .unexpectedResult(let detail):
            "unexpected result from postgresql: \(detail)"
        }
    }

    public var hint: String? {
        switch self {
        case .connectionFailed:
            "check that the server is running and reachable, that pg_hba.conf allows this user and host, "
                + "and that the password is set in PGPASSWORD or ~/.pgpass"
        case .invalidConnectionString:
            "use a url such as 'postgresql://user@host:5432/dbname' or key=value pairs such as "
                + "'host=localhost port=5432 dbname=postgres'"
        case .queryFailed, .unexpectedResult:
            nil
        }
    }
}
