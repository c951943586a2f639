// Memory: handing memory the process freed back to the system. glibc keeps what a thread freed in that thread's
// allocator arena, so a process whose threads each peak once per object (the restore feed's streaming threads)
// otherwise holds threads × the largest peak for good.
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

    /// Looked up at run time: malloc.h is not part of the Glibc module.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = LibCSymbol.lookup("malloc_trim")
}
#endif
