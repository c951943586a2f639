// LockHolder: the contents of a lock object (docs/format.md §7). It names its holder (host, pid, command, start
// time) so a refused run can say who holds it, and carries a random nonce that makes every acquisition distinct:
// a breaker compares nonces to know that the lock it is about to remove is still the dead holder's.
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct LockHolder: Codable, Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var pid: Int32
    public var command: String
    public var started: Date
    /// 128 random bits in hex; absent in locks written before nonces existed.
    public var nonce: String?

    public static func current(command: String) -> LockHolder {
        var generator = SystemRandomNumberGenerator()
        let nonce = (0..<2).map { _ in String(generator.next() as UInt64, radix: 16).leftPadded(16) }.joined()
        // Whole seconds, as stored.
        return LockHolder(
            host: ProcessInfo.processInfo.hostName, pid: getpid(), command: command,
            started: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)), nonce: nonce)
    }

    public var description: String {
        "'\(command)' (pid \(pid) on host '\(host)', since \(ISO8601DateFormatter().string(from: started)))"
    }

    /// What names this acquisition in a breaker's marker key: the nonce, or for an old lock its pid and start.
    var identity: String {
        nonce ?? "\(pid)-\(Int64((started.timeIntervalSince1970 * 1000).rounded()))"
    }

    /// Only a holder on this host can be known dead, and only by its pid being gone (ESRCH); EPERM means alive.
    var isDeadOnThisHost: Bool {
        host == ProcessInfo.processInfo.hostName && kill(pid, 0) != 0 && errno == ESRCH
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
