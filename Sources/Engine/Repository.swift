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

    /// The store for a configured location. S3 arrives with the S3 store; until then it is refused clearly.
    public static func makeStore(_ location: RepositoryLocation, create: Bool) throws -> BlobStore {
        switch location {
        case .file(let path): return try LocalStore(root: path, create: create)
        case .s3(let bucket, let prefix):
            throw EngineError.unsupportedRepositoryScheme("s3://\(bucket)/\(prefix)")
        }
    }

    /// Opens an existing repository; fails with a hint when there is none or its format is unknown.
    public static func open(_ location: RepositoryLocation) throws -> Repository {
        let store: BlobStore
        do {
            store = try makeStore(location, create: false)
        } catch StoreError.notARepository(let where_) {
            throw EngineError.notARepository(where_)
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
