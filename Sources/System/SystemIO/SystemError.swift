// SystemError: a system call of SystemIO that failed — what was done, to which path, and errno. SystemIO never
// phrases a message for the operator: each caller turns this into its own domain error (StoreError, WALError,
// …), so what the operator reads stays what that layer always said.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct SystemError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call, by the name messages have always used: "open", "write", "read", "fsync", "rename", "link",
    /// "chmod", "stat", "lock", "spawn", "wait".
    public let operation: String
    /// The file it acted on (for "spawn", the executable).
    public let path: String
    /// The second path of a two-path call: the destination of "rename" and "link".
    public let destination: String?
    public let code: Int32

    /// `code` defaults to the current errno, so build the error right after the failed call.
    public init(_ operation: String, path: String, destination: String? = nil, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.destination = destination
        self.code = code
    }

    /// strerror's text for `code`.
    public var reason: String { String(cString: strerror(code)) }

    /// "rename 'a' to 'b'", "write 'a'": the call and its paths, without the reason.
    public var subject: String {
        "\(operation) '\(path)'" + (destination.map { " to '\($0)'" } ?? "")
    }

    public var description: String { "\(subject) failed: \(reason)" }
}

extension SystemError {
    /// Runs `body` and turns a SystemError it throws into the caller's own error with `transform`; any other
    /// error passes unchanged. The one place each layer's mapping hooks in.
    public static func mapped<T>(_ body: () throws -> T, into transform: (SystemError) -> any Error) throws -> T {
        do {
            return try body()
        } catch let error as SystemError {
            throw transform(error)
        }
    }
}
