// Reading the `wal:` section: `wal: { prefetch: 8, push_parallel: 4 }`.

extension WALSettings {
    static let keys = ["prefetch", "push_parallel"]
    static let prefetchRange = 0...64
    static let pushParallelRange = 0...16

    static func read(from root: MappingReader) throws -> WALSettings {
        guard let section = try root.mapping("wal", accepted: keys) else { return WALSettings() }
        let prefetch = try section.int("prefetch") ?? defaultPrefetch
        guard prefetchRange.contains(prefetch) else {
            throw section.invalid(
                "prefetch", value: String(prefetch), accepted: "0...64 segments",
                hint: "8 keeps recovery busy on most links; 0 turns prefetching off")
        }
        let pushParallel = try section.int("push_parallel") ?? defaultPushParallel
        guard pushParallelRange.contains(pushParallel) else {
            throw section.invalid(
                "push_parallel", value: String(pushParallel), accepted: "0...16 segments",
                hint: "4 is a good default; 0 archives only the file PostgreSQL asks for")
        }
        return WALSettings(prefetch: prefetch, pushParallel: pushParallel)
    }
}
