// InterceptedArchival: the `archival` view of an InterceptedStore, each operation intercepted.
import Foundation

struct InterceptedArchival: ArchivalOperations {
    let inner: any ArchivalOperations
    let interceptor: any StoreInterceptor

    func setStorageClass(_ storageClass: String, for key: ObjectKey) throws {
        try interceptor.intercept(StoreOperation(.setStorageClass, key.rawValue)) {
            try inner.setStorageClass(storageClass, for: key)
        }
    }

    func rehydration(of key: ObjectKey) throws -> Rehydration {
        try interceptor.intercept(StoreOperation(.rehydration, key.rawValue)) { try inner.rehydration(of: key) }
    }

    func requestRehydration(of key: ObjectKey, days: Int, tier: RehydrationTier) throws {
        try interceptor.intercept(StoreOperation(.requestRehydration, key.rawValue)) {
            try inner.requestRehydration(of: key, days: days, tier: tier)
        }
    }

    func objectLock(of key: ObjectKey) throws -> ObjectLockState {
        try interceptor.intercept(StoreOperation(.objectLock, key.rawValue)) { try inner.objectLock(of: key) }
    }

    func extendObjectLock(of key: ObjectKey, mode: String, until: Date) throws {
        try interceptor.intercept(StoreOperation(.extendObjectLock, key.rawValue)) {
            try inner.extendObjectLock(of: key, mode: mode, until: until)
        }
    }

    func setLegalHold(_ on: Bool, for key: ObjectKey) throws {
        try interceptor.intercept(StoreOperation(.setLegalHold, key.rawValue)) { try inner.setLegalHold(on, for: key) }
    }

    func deleteAllVersions(_ key: ObjectKey) throws {
        try interceptor.intercept(StoreOperation(.deleteAllVersions, key.rawValue)) {
            try inner.deleteAllVersions(key)
        }
    }
}
