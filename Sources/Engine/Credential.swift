// Credential: the secret that opens the repository's key slots, read from the configured key file or from the
// environment variable named by encryption.passphrase_env. Secrets never reach logs, errors or arguments.
import Catalog
import Configuration
import Foundation

public enum Credential: Sendable, CustomStringConvertible {
    case keyFile(path: String, key: [UInt8])
    case passphrase(variable: String, bytes: [UInt8])

    public static func load(_ settings: EncryptionSettings, environment: [String: String]) throws -> Credential {
        switch settings {
        case .keyFile(let path):
            return .keyFile(path: path, key: try KeyFile.read(path: path))
        case .passphraseEnvironment(let variable):
            guard let value = environment[variable], !value.isEmpty else { throw EngineError.passphraseMissing(variable: variable) }
            guard value.count >= 12 else { throw EngineError.passphraseTooShort(variable: variable) }
            return .passphrase(variable: variable, bytes: Array(value.utf8))
        }
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
