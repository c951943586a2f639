// Repository: a BlobStore that holds a Lifeboat repository: its descriptor, key slots, keyring and backups.
// Opening checks the descriptor; unlocking turns a credential into the Keyring. Small metadata objects
// (manifests, keyring) are sealed whole with the same stream format as data objects.
import Catalog
import Cipher
import Configuration
import Foundation
import Logging
import Pipeline
import Policy
import Storage

public final class Repository: @unchecked Sendable {
    // Immutable after init.
    public let store: BlobStore
    /// The Object Lock every upload gets (policy `immutability` on a bucket with Object Lock); nil otherwise.
    public let uploadLock: Immutability?
    /// Why the policy's immutability is not in effect (local repository, bucket without Object Lock).
    public let immutabilityProblem: String?

    init(store: BlobStore, uploadLock: Immutability? = nil, immutabilityProblem: String? = nil) {
        self.store = store
        self.uploadLock = uploadLock
        self.immutabilityProblem = immutabilityProblem
    }

    /// What a manifest records about the lock its objects were uploaded under: commit time + days, plus a
    /// minute so the date is no earlier than the manifest's own lock (set by S3 when the PUT arrives).
    public func objectLockRecord(committingAt now: Date) -> ObjectLockRecord? {
        uploadLock.map {
            ObjectLockRecord(
                mode: $0.mode.rawValue, retainUntil: now.addingTimeInterval(TimeInterval($0.days) * 86_400 + 60))
        }
    }

    public var location: String { store.location }

    /// Opens an existing repository in the configured store; fails with a hint when there is none.
    /// With `immutability` (the policy's), uploads to a bucket with Object Lock enabled carry that lock.
    /// A `logger` at trace level logs every store operation and S3 request (StoreFactory).
    public static func open(
        _ settings: RepositorySettings, environment: [String: String],
        immutability: Immutability? = nil, logger: Logger? = nil
    ) throws -> Repository {
        let store: BlobStore
        do {
            store = try StoreFactory.make(settings, create: false, environment: environment, logger: logger)
        } catch StoreError.notARepository(let location) {
            throw EngineError.notARepository(location)
        }
        let repository = try withImmutability(store, immutability)
        _ = try repository.descriptor()
        return repository
    }

    /// Object Lock only exists on S3 buckets created with it; elsewhere the policy's wish is reported, not fatal.
    static func withImmutability(_ store: BlobStore, _ immutability: Immutability?) throws -> Repository {
        guard let immutability else { return Repository(store: store) }
        guard let bucket = store.bucket(for: .objectLock) else {
            let problem = "repository '\(store.location)' is a local directory, which has no Object Lock"
            return Repository(store: store, immutabilityProblem: problem)
        }
        guard try bucket.objectLockEnabled() else {
            let problem =
                "bucket '\(bucket.name)' does not have Object Lock enabled "
                + "(it can only be enabled when a bucket is created)"
            return Repository(store: store, immutabilityProblem: problem)
        }
        let lock = UploadObjectLock(mode: immutability.mode.rawValue, days: immutability.days)
        return Repository(store: bucket.withUploadLock(lock), uploadLock: immutability)
    }

    public func descriptor() throws -> RepositoryDescriptor {
        let key = try ObjectKey(RepositoryLayout.descriptor)
        guard try store.exists(key) else { throw EngineError.notARepository(store.location) }
        let descriptor: RepositoryDescriptor
        do {
            descriptor = try CatalogCoding.decoder().decode(RepositoryDescriptor.self, from: Data(try store.get(key)))
        } catch let error as DecodingError {
            // repository.json is plain JSON: these checks are all that protect it. Damage (a flipped byte, a
            // truncation) is an integrity failure naming the object, as for every sealed object (exit 4).
            throw EngineError.unsupportedRepositoryFormat(
                "'\(key)' is not a repository descriptor (\(Self.describe(error)))")
        }
        guard descriptor.format == RepositoryDescriptor.formatName,
            descriptor.version == RepositoryDescriptor.currentVersion
        else {
            throw EngineError.unsupportedRepositoryFormat(
                "'\(key)' says '\(descriptor.format)' version \(descriptor.version); "
                    + "this lifeboat reads '\(RepositoryDescriptor.formatName)' version \(RepositoryDescriptor.currentVersion)"
            )
        }
        return descriptor
    }

    /// What is wrong with a plain-JSON document, in a few words (Foundation's own description says nothing).
    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context): return context.underlyingError.map { "\($0)" } ?? context.debugDescription
        case .keyNotFound(let key, _): return "no '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "'\(context.codingPath.map(\.stringValue).joined(separator: "."))': \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    // MARK: sealed metadata objects

    public func putSealed(_ key: ObjectKey, bytes: [UInt8], with sealingKey: SealingKey) throws {
        try store.put(key, data: try SealingEncoder.seal(bytes, dataKey: sealingKey.key, keyID: sealingKey.keyId))
    }

    /// A sealed JSON record (manifest, pin record, prune record, drill evidence), catalog-encoded.
    public func putSealedRecord<Record: Encodable>(_ record: Record, at key: ObjectKey, with sealingKey: SealingKey)
        throws
    {
        try putSealed(key, bytes: Array(try CatalogCoding.encoder().encode(record)), with: sealingKey)
    }

    /// Reads back a sealed JSON record; one that authenticates but does not decode is reported as a mismatch
    /// naming `what` it should have been.
    public func sealedRecord<Record: Decodable>(
        _ type: Record.Type, at key: ObjectKey, lookup: @escaping ([UInt8]) -> [UInt8]?,
        what: String
    ) throws -> Record {
        let bytes = try getSealed(key, lookup: lookup)
        do {
            return try CatalogCoding.decoder().decode(type, from: Data(bytes))
        } catch {
            throw EngineError.manifestMismatch(key: key.rawValue, detail: "it does not decode as \(what) (\(error))")
        }
    }

    public func getSealed(_ key: ObjectKey, lookup: @escaping ([UInt8]) -> [UInt8]?) throws -> [UInt8] {
        try openSealed(try store.get(key), key: key, lookup: lookup)
    }

    /// Authenticates and decrypts a sealed object already read from `key`.
    public func openSealed(_ sealed: [UInt8], key: ObjectKey, lookup: @escaping ([UInt8]) -> [UInt8]?) throws
        -> [UInt8]
    {
        do {
            return try OpeningDecoder.open(sealed, keyLookup: lookup)
        } catch let error as CipherError {
            throw PipelineError.corruptObject(key: key.rawValue, detail: error.message)
        }
    }
}
