// Reading the `wal:` section: `wal: { prefetch: 8 }`.

extension WALSettings {
    static let keys = ["prefetch"]
    static let prefetchRange = 0...64

    static func read(from root: MappingReader) throws -> WALSettings {
        guard let section = try root.mapping("wal", accepted: keys) else { return WALSettings() }
        let prefetch = try section.int("prefetch") ?? defaultPrefetch
        guard prefetchRange.contains(prefetch) else {
            throw section.invalid("prefetch", value: String(prefetch), accepted: "0...64 segments",
                                  hint: "8 keeps recovery busy on most links; 0 turns prefetching off")
        }
        return WALSettings(prefetch: prefetch)
    }
}
