// EncryptionSettings: where the key-encryption key comes from. The configuration names a key file or an
// environment variable, never the secret itself, so this value is safe to print.

public enum EncryptionSettings: Sendable, Equatable {
    /// A key file (absolute path), as written by `lifeboat key generate`.
    case keyFile(path: String)
    /// The name of the environment variable holding the passphrase.
    case passphraseEnvironment(name: String)
}

extension EncryptionSettings: Codable {
    enum CodingKeys: String, CodingKey {
        case keyFile = "key_file"
        case passphraseEnvironment = "passphrase_env"
    }

    /// Encoded like the YAML: `{"key_file": PATH}` or `{"passphrase_env": NAME}`.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let path = try container.decodeIfPresent(String.self, forKey: .keyFile)
        let name = try container.decodeIfPresent(String.self, forKey: .passphraseEnvironment)
        switch (path, name) {
        case (let path?, nil): self = .keyFile(path: path)
        case (nil, let name?): self = .passphraseEnvironment(name: name)
        default:
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath, debugDescription: "expected exactly one of key_file, passphrase_env"
                ))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .keyFile(let path): try container.encode(path, forKey: .keyFile)
        case .passphraseEnvironment(let name): try container.encode(name, forKey: .passphraseEnvironment)
        }
    }
}
