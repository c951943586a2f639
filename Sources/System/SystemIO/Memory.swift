// Memory: handing memory the process freed back to the system. glibc keeps what a thread freed in that thread's
// allocator arena, so a process whose threads each peak once per object (the restore feed's streaming threads)
// otherwise holds threads × the largest peak for good. The opposite, for a process that handles one object after
// another (the WAL pusher, the prefetcher): keeping freed buffers for the next object.
#if canImport(Glibc)
import Glibc

public enum Memory {
    /// Returns freed memory of every arena to the system (glibc's malloc_trim); false where that is unavailable.
    @discardableResult
    public static func trim() -> Bool {
        guard let mallocTrim else { return false }
        _ = mallocTrim(0)
        return true
    }

    /// Keeps freed memory in the heap for reuse: allocations up to 32 MiB come from the heap (not from mmap, which
    /// hands back fresh pages that fault in again on every object) and freed memory at the heap's top is returned to
    /// the system only beyond 128 MiB. What stays is bounded by the process's largest simultaneous use (parallel
    /// pushes × one object's buffers), not by how many objects it handles. False where mallopt is unavailable.
    @discardableResult
    public static func keepFreedForReuse() -> Bool {
        guard let mallopt else { return false }
        // M_MMAP_THRESHOLD (-3) at glibc's largest accepted value; M_TRIM_THRESHOLD (-1).
        return mallopt(-3, 32 << 20) == 1 && mallopt(-1, 128 << 20) == 1
    }

    /// Looked up at run time, as malloc_trim is: malloc.h is not part of the Glibc module.
    private static let mallopt: (@convention(c) (Int32, Int32) -> Int32)? = LibCSymbol.lookup("mallopt")

    /// Looked up at run time: malloc.h is not part of the Glibc module.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = LibCSymbol.lookup("malloc_trim")
}
#endif
