// RepositoryDescriptor: the plaintext `repository.json` that marks a directory or bucket prefix as a Lifeboat
// repository. It holds no secrets; the keyring and key slots beside it hold the (wrapped) keys.
import Foundation

public struct RepositoryDescriptor: Codable, Sendable, Equatable {
    public static let formatName = "lifeboat-repository"
    public static let currentVersion = 1

    public var format: String
    public var version: Int
    public var id: String
    public var created: Date

    public init(id: String, created: Date) {
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.id = id
        self.created = created
    }
}
