// Errors of the storage layer, phrased for the operator.
import Diagnostics

public enum StoreError: LifeboatError {
    case notFound(key: String, store: String)
    case invalidKey(String)
    case io(operation: String, path: String, errno: Int32)
    case notARepository(String)
    case locked(name: String, holder: String)
    case staleLockUnreadable(name: String)
    /// The store refused to delete a version that is under Object Lock retention or legal hold.
    case objectLocked(key: String, detail: String)

    public var exitStatus: ExitStatus {
        switch self {
        case .notFound: return .integrity
        case .locked: return .locked
        case .invalidKey: return .usage
        case .io, .notARepository, .staleLockUnreadable, .objectLocked: return .failure
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
        case .objectLocked(let key, let detail):
            return "object '\(key)' was not deleted: Object Lock retention or a legal hold refused it (\(detail))"
        }
    }

    public var hint: String? {
        switch self {
        case .notFound: return "run 'lifeboat verify --all' to see every damaged backup; restore from another backup"
        case .notARepository: return "run 'lifeboat init' to create it, or fix repository.url in the configuration"
        case .locked:
            return "wait for that run to finish; if it died on another host, remove the lock with 'lifeboat unlock' once you are sure"
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
