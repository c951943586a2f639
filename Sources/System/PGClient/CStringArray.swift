// CStringArray: several Swift strings as the `const char *const *` array libpq takes for keywords and query
// parameters, built in one contiguous buffer instead of one allocation per string.
struct CStringArray {
    private var storage: [CChar] = []
    private var offsets: [Int?] = []

    /// nil entries become NULL pointers (SQL NULL parameters). Callers reject embedded nul characters first:
    /// C would silently cut the string there.
    init(_ strings: [String?], nullTerminated: Bool = false) {
        storage.reserveCapacity(strings.reduce(0) { $0 + ($1?.utf8.count ?? 0) + 1 })
        for string in strings {
            guard let string else {
                offsets.append(nil)
                continue
            }
            offsets.append(storage.count)
            storage.append(contentsOf: string.utf8.lazy.map { CChar(bitPattern: $0) })
            storage.append(0)
        }
        if nullTerminated { offsets.append(nil) }
    }

    func withPointers<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer { buffer in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                offset.flatMap { offset in buffer.baseAddress.map { $0 + offset } }
            }
            return try pointers.withUnsafeBufferPointer { array in
                // An empty array still needs a valid address for libpq; a single NULL serves.
                guard let base = array.baseAddress else {
                    var none: UnsafePointer<CChar>? = nil
                    return try withUnsafePointer(to: &none) { try body($0) }
                }
                return try body(base)
            }
        }
    }
}
