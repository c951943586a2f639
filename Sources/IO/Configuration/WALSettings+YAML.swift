// Reading the `wal:` section: `wal: { prefetch: 8, push_parallel: 4, async: true, spool_dir: /var/spool/lifeboat,
// partial_every: 10s, slot: lifeboat_main, slot_retained_warn: 1GiB }`.
import Foundation
import Policy

extension WALSettings {
    static let keys = [
        "prefetch", "push_parallel", "async", "spool_dir", "async_timeout", "compression_level", "queue_max",
        "partial_every", "slot", "slot_retained_warn",
    ]
    static let prefetchRange = 0...64
    static let pushParallelRange = 0...16
    static let asyncTimeoutRange = 1...3600
    static let partialEveryRange = 1.0...3600.0

    static func read(from root: MappingReader, baseDirectory: String, compression: CompressionSettings) throws
        -> WALSettings
    {
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
        let async = try section.bool("async") ?? false
        let spoolDir = try ConfigLoader.path("spool_dir", in: section, baseDirectory: baseDirectory)
        if async && spoolDir == nil {
            throw section.missing(
                "spool_dir",
                hint: "asynchronous archiving keeps its markers in a local directory the PostgreSQL OS user can write, "
                    + "e.g. 'wal: { async: true, spool_dir: /var/spool/lifeboat }'")
        }
        let asyncTimeout = try section.int("async_timeout") ?? defaultAsyncTimeout
        guard asyncTimeoutRange.contains(asyncTimeout) else {
            throw section.invalid(
                "async_timeout", value: String(asyncTimeout), accepted: "1...3600 seconds",
                hint: "60 lets the pusher ride out a short outage; PostgreSQL retries a failed archive_command")
        }
        let compressionLevel = try section.int("compression_level")
        if let compressionLevel {
            guard compression.algorithm == .zstd else {
                throw section.invalid(
                    "compression_level", value: String(compressionLevel), accepted: "no level with 'algorithm: none'",
                    hint: "remove 'wal.compression_level' or set 'compression: { algorithm: zstd }'")
            }
            guard CompressionSettings.isWALZstdLevel(compressionLevel) else {
                throw section.invalid(
                    "compression_level", value: String(compressionLevel),
                    accepted: "1...19, or a fast level -7...-1, for zstd",
                    hint: "1 and the fast levels spend less CPU per segment than 3 for larger WAL objects")
            }
        }
        let queueMax = try Self.queueMax(in: section, async: async)
        return WALSettings(
            prefetch: prefetch, pushParallel: pushParallel, async: async, spoolDir: spoolDir,
            asyncTimeout: asyncTimeout, compressionLevel: compressionLevel, queueMax: queueMax,
            partialEvery: try partialEvery(in: section), slot: try slot(in: section),
            slotRetainedWarn: try slotRetainedWarn(in: section))
    }

    /// `queue_max: 4GiB`: only with async, at least one 16 MiB segment.
    private static func queueMax(in section: MappingReader, async: Bool) throws -> Int? {
        guard let node = section.node("queue_max"), !MappingReader.isNull(node) else { return nil }
        let bytes: Int
        if MappingReader.tagName(node) == .int, let number = node.int {
            bytes = number
        } else if let text = node.scalar?.string, let parsed = ByteSize.parse(text) {
            bytes = parsed
        } else {
            throw section.invalid("queue_max", value: node.scalar?.string, accepted: ByteSize.acceptedForms)
        }
        guard bytes >= 16 * ByteSize.mebibyte else {
            throw section.invalid(
                "queue_max", value: node.scalar?.string, accepted: "16MiB or more",
                hint: "it is the WAL allowed to wait in pg_wal before segments are dropped, e.g. '8GiB'")
        }
        guard async else {
            throw section.invalid(
                "queue_max", value: node.scalar?.string, accepted: "only with 'async: true'",
                hint: "synchronous archiving never drops WAL; remove 'queue_max' or set 'async: true'")
        }
        return bytes
    }

    private static func partialEvery(in section: MappingReader) throws -> Double {
        guard let seconds = try section.duration("partial_every") else { return defaultPartialEvery }
        guard partialEveryRange.contains(seconds) else {
            throw section.invalid(
                "partial_every", value: DurationText.format(seconds), accepted: "1s...1h",
                hint: "the receiver's RPO is about this interval; 10s is the default")
        }
        return seconds
    }

    private static func slot(in section: MappingReader) throws -> String? {
        guard let name = try section.string("slot") else { return nil }
        let allowed = name.utf8.allSatisfy {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                || $0 == UInt8(ascii: "_")
        }
        guard allowed, (1...63).contains(name.utf8.count) else {
            throw section.invalid(
                "slot", value: name, accepted: "1-63 of a-z, 0-9 and _ (PostgreSQL's rule for slot names)",
                hint: "leave it out to use lifeboat_<cluster>")
        }
        return name
    }

    private static func slotRetainedWarn(in section: MappingReader) throws -> Int {
        guard let node = section.node("slot_retained_warn") else { return defaultSlotRetainedWarn }
        let bytes: Int?
        if MappingReader.tagName(node) == .int {
            bytes = node.int
        } else {
            bytes = node.scalar.flatMap { ByteSize.parse($0.string) }
        }
        guard let bytes, bytes >= ByteSize.mebibyte else {
            throw section.invalid(
                "slot_retained_warn", value: node.scalar?.string,
                accepted: "1MiB or more: " + ByteSize.acceptedForms, hint: "1GiB is the default")
        }
        return bytes
    }
}
