// Credential: the secret that opens the repository's key slots, read from the configured key file or from the
// environment variable named by encryption.passphrase_env — or, when that variable is unset, from the file named
// by `<VARIABLE>_FILE` (mode 0600 or stricter), which is how a restored server's restore_command gets the
// passphrase without it being in the server's environment (RecoveryCredentials). Secrets never reach logs,
// errors or arguments.
import Catalog
import Configuration
import Foundation

#if canImport(Glibc)
import Glibc
#endif

public enum Credential: Sendable, CustomStringConvertible {
    case keyFile(path: String, key: [UInt8])
    case passphrase(variable: String, bytes: [UInt8])

    public static func load(_ settings: EncryptionSettings, environment: [String: String]) throws -> Credential {
        switch settings {
        case .keyFile(let path):
            return .keyFile(path: path, key: try KeyFile.read(path: path))
        case .passphraseEnvironment(let variable):
            let value = try passphrase(variable, environment: environment)
            guard value.count >= 12 else { throw EngineError.passphraseTooShort(variable: variable) }
            return .passphrase(variable: variable, bytes: Array(value.utf8))
        }
    }

    /// `LIFEBOAT_PASSPHRASE_FILE` for `LIFEBOAT_PASSPHRASE`: the file holding the passphrase when the variable is unset.
    public static func passphraseFileVariable(_ variable: String) -> String { variable + "_FILE" }

    /// The variable's value, else the content of the file its `_FILE` pointer names (one trailing newline dropped).
    static func passphrase(_ variable: String, environment: [String: String]) throws -> String {
        if let value = environment[variable], !value.isEmpty { return value }
        let pointer = passphraseFileVariable(variable)
        guard let path = environment[pointer], !path.isEmpty else {
            throw EngineError.passphraseMissing(variable: variable)
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw EngineError.passphraseFileUnusable(
                variable: pointer, path: path, detail: String(cString: strerror(errno)))
        }
        let mode = Int(info.st_mode & 0o777)
        guard mode & 0o077 == 0 else {
            throw EngineError.passphraseFileUnusable(
                variable: pointer, path: path, detail: "it is readable by other users (mode \(String(mode, radix: 8)))")
        }
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw EngineError.passphraseFileUnusable(variable: pointer, path: path, detail: "it cannot be read")
        }
        var text = String(decoding: contents, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        guard !text.isEmpty else { throw EngineError.passphraseMissing(variable: variable) }
        return text
    }

    public var slotKind: KeySlotKind {
        switch self {
        case .keyFile: return .keyFile
        case .passphrase: return .passphrase
        }
    }

    /// Names the credential without revealing it.
    public var description: String {
        switch self {
        case .keyFile(let path, _): return "key file '\(path)'"
        case .passphrase(let variable, _): return "the passphrase in '\(variable)'"
        }
    }
}
