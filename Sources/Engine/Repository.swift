// Repository: a BlobStore that holds a Lifeboat repository: its descriptor, key slots, keyring and backups.
// Opening checks the descriptor; unlocking turns a credential into the Keyring. Small metadata objects
// (manifests, keyring) are sealed whole with the same stream format as data objects.
import Catalog
import Cipher
import Configuration
import Foundation
import Pipeline
import Storage

public final class Repository: @unchecked Sendable {
    // Immutable after init.
    public let store: BlobStore

    init(store: BlobStore) {
        self.store = store
    }

    public var location: String { store.location }

    /// Opens an existing repository in the configured store; fails with a hint when there is none.
    public static func open(_ settings: RepositorySettings, environment: [String: String]) throws -> Repository {
        let store: BlobStore
        do {
            store = try StoreFactory.make(settings, create: false, environment: environment)
        } catch StoreError.notARepository(let location) {
            throw EngineError.notARepository(location)
        }
        let repository = Repository(store: store)
        _ = try repository.descriptor()
        return repository
    }

    public func descriptor() throws -> RepositoryDescriptor {
        let key = try ObjectKey(RepositoryLayout.descriptor)
        guard try store.exists(key) else { throw EngineError.notARepository(store.location) }
        let descriptor: RepositoryDescriptor
        do {
            descriptor = try CatalogCoding.decoder().decode(RepositoryDescriptor.self, from: Data(try store.get(key)))
        } catch let error as DecodingError {
            throw EngineError.unsupportedRepositoryFormat("repository.json is unreadable (\(error.localizedDescription))")
        }
        guard descriptor.format == RepositoryDescriptor.formatName, descriptor.version == RepositoryDescriptor.currentVersion else {
            throw EngineError.unsupportedRepositoryFormat("'\(descriptor.format)' version \(descriptor.version)")
        }
        return descriptor
    }

    // MARK: sealed metadata objects

    public func putSealed(_ key: ObjectKey, bytes: [UInt8], with sealingKey: SealingKey) throws {
        try store.put(key, data: try SealingEncoder.seal(bytes, dataKey: sealingKey.key, keyID: sealingKey.keyId))
    }

    public func getSealed(_ key: ObjectKey, lookup: @escaping ([UInt8]) -> [UInt8]?) throws -> [UInt8] {
        let sealed = try store.get(key)
        do {
            return try OpeningDecoder.open(sealed, keyLookup: lookup)
        } catch let error as CipherError {
            throw PipelineError.corruptObject(key: key.rawValue, detail: error.message)
        }
    }
}
