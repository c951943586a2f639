// Errors of the storage layer, phrased for the operator.
import Diagnostics

public enum StoreError: LifeboatError {
    case notFound(key: String, store: String)
    case invalidKey(String)
    case io(operation: String, path: String, errno: Int32)
    case notARepository(String)
    case locked(name: String, holder: String)
    case staleLockUnreadable(name: String)
    /// A second exclusive create of an existing key succeeded: the store ignores If-None-Match.
    case exclusiveCreateIgnored(location: String)
    /// The store refused to delete a version that is under Object Lock retention or legal hold.
    case objectLocked(key: String, detail: String)

    public var exitStatus: ExitStatus {
        switch self {
        case .notFound: return .integrity
        case .locked: return .locked
        case .invalidKey: return .usage
        case .io, .notARepository, .staleLockUnreadable, .objectLocked, .exclusiveCreateIgnored: return .failure
        }
    }

    public var message: String {
        switch self {
        case .notFound(let key, let store): return "object '\(key)' is missing from repository '\(store)'"
        case .invalidKey(let key): return "invalid object key '\(key)'"
        case .io(let operation, let path, let code):
            return "\(operation) '\(path)' failed: \(String(cString: strerror(code)))"
        case .notARepository(let location): return "no lifeboat repository at '\(location)'"
        case .locked(let name, let holder): return "'\(name)' is locked by \(holder)"
        case .staleLockUnreadable(let name): return "lock '\(name)' exists but cannot be read"
        case .exclusiveCreateIgnored(let location):
            return "repository '\(location)' does not honour exclusive create: creating an existing object succeeded"
        case .objectLocked(let key, let detail):
            return "object '\(key)' was not deleted: Object Lock retention or a legal hold refused it (\(detail))"
        }
    }

    public var hint: String? {
        switch self {
        case .notFound: return "run 'lifeboat verify --all' to see every damaged backup; restore from another backup"
        case .notARepository: return "run 'lifeboat init' to create it, or fix repository.url in the configuration"
        case .locked(let name, _):
            return
                "wait for that run to finish; a holder on another host is never presumed dead: once you are sure it is "
                + "not running, delete the object 'locks/\(name).lock' from the repository"
        case .staleLockUnreadable(let name):
            return
                "once you are sure no lifeboat run uses it, delete the object 'locks/\(name).lock' from the repository"
        case .exclusiveCreateIgnored:
            return "locks and WAL records need If-None-Match: * on PUT (AWS S3 since 2024, MinIO, Ceph RGW 18+); "
                + "upgrade the store or use another one; 'lifeboat check' tests this"
        case .objectLocked:
            return "wait until its retain-until date has passed and no legal hold is set; a GOVERNANCE lock can "
                + "also be lifted by an administrator with s3:BypassGovernanceRetention"
        case .io(_, _, let code) where code == EACCES || code == EPERM:
            return "check ownership and permissions of the repository directory; run lifeboat as the user that owns it"
        case .io(_, _, let code) where code == ENOSPC:
            return "free space on the repository filesystem, then run the operation again"
        default: return nil
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
