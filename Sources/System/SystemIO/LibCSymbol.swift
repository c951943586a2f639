// LibCSymbol: a C library function looked up at run time in the running process. Some of glibc's calls are not
// declared by the Glibc module (their headers need _GNU_SOURCE, or are not part of it: syncfs, sync_file_range,
// fallocate, malloc_trim, mallopt), and a libc without one of them must still run Lifeboat on the slower path.
#if canImport(Glibc)
import Glibc

enum LibCSymbol {
    /// The function `name` as the caller's `@convention(c)` function type, or nil when the process has no such
    /// symbol. The type must match the C declaration: nothing can check it.
    static func lookup<Function>(_ name: String) -> Function? {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, name) else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }
}
#endif
