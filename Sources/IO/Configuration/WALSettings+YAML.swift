// Reading the `wal:` section: `wal: { prefetch: 8, push_parallel: 4, partial_every: 10s, slot: lifeboat_main,
// slot_retained_warn: 1GiB }`.
import Foundation
import Policy

extension WALSettings {
    static let keys = ["prefetch", "push_parallel", "partial_every", "slot", "slot_retained_warn"]
    static let prefetchRange = 0...64
    static let pushParallelRange = 0...16
    static let partialEveryRange = 1.0...3600.0

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
        return WALSettings(
            prefetch: prefetch, pushParallel: pushParallel, partialEvery: try partialEvery(in: section),
            slot: try slot(in: section), slotRetainedWarn: try slotRetainedWarn(in: section))
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
