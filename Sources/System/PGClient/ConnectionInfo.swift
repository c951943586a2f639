// ConnectionInfo: a libpq connection string (URL or key=value form) parsed by libpq itself, so Lifeboat accepts
// exactly what psql accepts. It carries the password for libpq but never shows it: description, debugging
// output and errors are redacted.
import CLibPQ

public struct ConnectionInfo: Sendable, Equatable, CustomStringConvertible {
    /// libpq keywords with non-empty values. Change them through `withParameter` so empty values stay out.
    public private(set) var parameters: [String: String]

    /// Keywords printed first in `keywordString`, so it reads like a hand-written one.
    private static let leadingKeywords = ["host", "hostaddr", "port", "user", "password", "dbname"]

    /// Parses with PQconninfoParse; libpq's reason for a rejection is redacted before it reaches the error.
    public init(_ string: String) throws {
        guard !string.utf8.contains(0) else {
            throw PGError.invalidConnectionString("the string contains a nul character")
        }
        var errorMessage: UnsafeMutablePointer<CChar>? = nil
        guard let options = PQconninfoParse(string, &errorMessage) else {
            let reason = errorMessage.map { String(cString: $0) } ?? "out of memory"
            PQfreemem(errorMessage)
            throw PGError.invalidConnectionString(LibpqText.redactedParseReason(reason, input: string))
        }
        defer { PQconninfoFree(options) }
        parameters = Self.nonEmptyValues(options)
    }

    private init(parameters: [String: String]) {
        self.parameters = parameters
    }

    public var password: String? { parameters["password"] }

    public var database: String? { parameters["dbname"] }

    public var user: String? { parameters["user"] }

    public func with(database: String) -> ConnectionInfo {
        withParameter("dbname", database)
    }

    public func withoutPassword() -> ConnectionInfo {
        withParameter("password", nil)
    }

    /// Sets or, for nil or an empty value, removes a libpq keyword. Unknown keywords are reported by libpq when
    /// connecting.
    public func withParameter(_ key: String, _ value: String?) -> ConnectionInfo {
        var copy = parameters
        if let value, !value.isEmpty {
            copy[key] = value
        } else {
            copy.removeValue(forKey: key)
        }
        return ConnectionInfo(parameters: copy)
    }

    /// `key='value'` pairs quoted per libpq rules, password included: for handing to libpq-based tools through a
    /// private channel only, never for logs or process arguments.
    public var keywordString: String {
        orderedKeys.compactMap { key in
            parameters[key].map { "\(key)=\(Self.quoted($0))" }
        }.joined(separator: " ")
    }

    /// `user@host:port/db` with whatever parts are set; never the password.
    public var description: String {
        let user = parameters["user"].map { "\($0)@" } ?? ""
        return user + endpoints + (database.map { "/\($0)" } ?? "")
    }

    /// `host:port`, or `h1:p1,h2:p2` for libpq's multi-host lists.
    private var endpoints: String {
        let hosts = (parameters["host"] ?? parameters["hostaddr"] ?? "(default host)").split(separator: ",")
        guard let port = parameters["port"] else { return hosts.joined(separator: ",") }
        let ports = port.split(separator: ",", omittingEmptySubsequences: false)
        guard ports.count == hosts.count else { return hosts.joined(separator: ",") + ":" + port }
        return zip(hosts, ports).map { "\($0):\($1)" }.joined(separator: ",")
    }

    private var orderedKeys: [String] {
        let leading = Self.leadingKeywords.filter { parameters[$0] != nil }
        let rest = parameters.keys.filter { !Self.leadingKeywords.contains($0) }.sorted()
        return leading + rest
    }

    private static func quoted(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count + 2)
        for character in value {
            if character == "'" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "'\(escaped)'"
    }

    private static func nonEmptyValues(_ options: UnsafeMutablePointer<PQconninfoOption>) -> [String: String] {
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val, value.pointee != 0 {
                values[String(cString: keyword)] = String(cString: value)
            }
            option += 1
        }
        return values
    }
}

// Keeps the password out of `dump`, `debugPrint` and the debugger, which would otherwise show `parameters`.
extension ConnectionInfo: CustomDebugStringConvertible, CustomReflectable {
    public var debugDescription: String { "ConnectionInfo(\(description))" }

    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
