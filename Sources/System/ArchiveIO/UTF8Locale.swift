// UTF8Locale: runs libarchive header work with the calling thread's LC_CTYPE set to C.UTF-8.
// libarchive 3.6.2 converts names through the thread's locale; under "C" a non-ASCII name crashes its pax
// writer and makes its reader warn. `uselocale` is per thread and restored at once, so the process locale
// (and other threads) are untouched.
import CLibArchive
import Glibc

enum UTF8Locale {
    /// Created once and kept for the process lifetime; a locale object is immutable once created.
    nonisolated(unsafe) private static let locale: locale_t? = lifeboat_new_utf8_ctype_locale()

    static var isAvailable: Bool { locale != nil }

    static func run<T>(_ body: () throws -> T) rethrows -> T {
        guard let locale else { return try body() }
        let previous = uselocale(locale)
        defer { uselocale(previous) }
        return try body()
    }
}
