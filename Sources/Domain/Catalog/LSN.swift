// LSN: a WAL position in PostgreSQL's text form `X/X` (hex, high and low 32 bits), and the WAL segment names
// that cover a range of positions on one timeline.
import Foundation

public struct LSN: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// Parses `X/X` with 1…8 hex digits on each side; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...8).contains(parts[0].count), (1...8).contains(parts[1].count),
            let high = UInt64(parts[0], radix: 16), let low = UInt64(parts[1], radix: 16)
        else { return nil }
        value = high << 32 | low
    }

    public var description: String { WALSegmentHeader.lsn(value) }
    public static func < (lhs: LSN, rhs: LSN) -> Bool { lhs.value < rhs.value }

    /// The segment number holding this position.
    public func segment(size: UInt64) -> UInt64 { value / size }

    /// The 24-digit name of segment `number` on `timeline`.
    public static func segmentName(timeline: UInt32, segment number: UInt64, segmentSize: UInt64) -> String {
        let perLog = (UInt64(1) << 32) / segmentSize
        return String(format: "%08X%08X%08X", timeline, UInt32(number / perLog), UInt32(number % perLog))
    }

    /// Segments a backup from `start` to `end` needs: the one holding `start` through the one holding the last
    /// byte before `end` (PostgreSQL's XLByteToPrevSeg: an end on a segment boundary needs no byte of the next).
    public static func segmentNames(from start: LSN, to end: LSN, timeline: UInt32, segmentSize: UInt64) -> [String] {
        let first = start.segment(size: segmentSize)
        let last = max(first, (end.value > 0 ? end.value - 1 : 0) / segmentSize)
        return (first...last).map { segmentName(timeline: timeline, segment: $0, segmentSize: segmentSize) }
    }
}
