// FileLock: an advisory lock (flock) on a lock file, held while this object lives or until `close`. Used where
// local processes take turns: writers of one metrics file, the one WAL prefetcher of a spool. flock locks are
// released by the kernel when the holder dies, so a killed holder never leaves a lock behind.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class FileLock {
    public let path: String
    /// The lock file's descriptor, for checks and ownership changes only its user knows to make.
    public let descriptor: FileDescriptor
    private var isOpen = true

    /// Opens (creating it with `mode` when missing) the lock file at `path`, never through a link
    /// (O_NOFOLLOW); `flags` adds to O_RDWR|O_CREAT|O_NOFOLLOW (O_NONBLOCK: a FIFO there must not hang the
    /// open). Takes no lock yet. Throws SystemError "open".
    public init(path: String, mode: mode_t = 0o600, flags: Int32 = 0) throws {
        self.path = path
        descriptor = try FileDescriptor.open(path, O_RDWR | O_CREAT | O_NOFOLLOW | flags, mode: mode)
    }

    deinit { close() }

    /// Takes the lock without waiting: false when another holder has it. Throws SystemError "lock".
    public func tryLock(exclusive: Bool = true) throws -> Bool {
        try attempt((exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB)
    }

    /// Takes the lock, waiting as long as another holder keeps it. Throws SystemError "lock".
    public func lock(exclusive: Bool = true) throws {
        _ = try attempt(exclusive ? LOCK_EX : LOCK_SH)
    }

    /// Takes the lock, waiting at most `seconds` (polling every `interval` seconds, so a lock nobody releases
    /// cannot hang the caller): false when it was still held at the deadline. Throws SystemError "lock".
    public func lock(exclusive: Bool = true, waitingAtMost seconds: Double, interval: Double = 0.02) throws -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let end = Double(deadline.tv_sec) + Double(deadline.tv_nsec) / 1e9 + seconds
        while try !tryLock(exclusive: exclusive) {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            guard Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 < end else { return false }
            usleep(useconds_t(interval * 1_000_000))
        }
        return true
    }

    /// Releases the lock and closes the file; safe to call more than once.
    public func close() {
        if isOpen { descriptor.close() }
        isOpen = false
    }

    /// One flock, EINTR retried; false when LOCK_NB found it held (EWOULDBLOCK).
    private func attempt(_ operation: Int32) throws -> Bool {
        while flock(descriptor.rawValue, operation) != 0 {
            if errno == EINTR { continue }
            if errno == EWOULDBLOCK { return false }
            throw SystemError("lock", path: path)
        }
        return true
    }
}
