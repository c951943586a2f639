// WALStreamStart: where `wal receive` starts streaming (docs/format.md §8.7), decided from facts alone. Streaming
// always starts at a segment boundary, so every segment the receiver stores is whole from its first byte:
//   1. the segment after the newest one archived on the server's timeline: the repository's archive ends there,
//      and restarting there after a crash or a restart of either side leaves no gap;
//   2. else, on a timeline > 1, the segment holding the timeline's switch point (its first segment);
//   3. else the segment holding the slot's restart_lsn (the oldest WAL the server kept for it);
//   4. else the segment holding the server's current position.
// The server may have removed WAL before the slot's restart_lsn; `fallback` is where to start when it refuses
// the first choice (then WAL between the two can only come from `wal push`).
import Foundation

public struct WALStreamStart: Sendable, Equatable {
    public var start: LSN
    public var fallback: LSN?
    public var reason: String

    public init(start: LSN, fallback: LSN?, reason: String) {
        self.start = start
        self.fallback = fallback
        self.reason = reason
    }

    /// - Parameters:
    ///   - newestArchived: the newest segment number archived on `timeline`, if any.
    ///   - switchPoint: where `timeline` begins (from its history file); nil for timeline 1.
    ///   - slotRestart: the slot's restart_lsn when the slot exists and has one.
    ///   - serverPosition: the server's current flush position (IDENTIFY_SYSTEM).
    public static func decide(
        timeline: UInt32, segmentSize: UInt64, newestArchived: UInt64?, switchPoint: LSN?, slotRestart: LSN?,
        serverPosition: LSN
    ) -> WALStreamStart {
        let boundary = { (lsn: LSN) in LSN(lsn.segment(size: segmentSize) * segmentSize) }
        let serverStart = boundary(serverPosition)
        let safe = slotRestart.map(boundary) ?? serverStart
        if let newestArchived {
            let next = LSN((newestArchived + 1) * segmentSize)
            let start = min(next, serverStart)
            let name = LSN.segmentName(timeline: timeline, segment: newestArchived, segmentSize: segmentSize)
            return WALStreamStart(
                start: start, fallback: safe > start ? safe : nil, reason: "the archive ends with \(name)")
        }
        if let switchPoint, timeline > 1 {
            let start = min(boundary(switchPoint), serverStart)
            return WALStreamStart(
                start: start, fallback: safe > start ? safe : nil,
                reason: "timeline \(timeline) begins at \(switchPoint)")
        }
        if let slotRestart {
            return WALStreamStart(start: safe, fallback: nil, reason: "the slot keeps WAL from \(slotRestart)")
        }
        return WALStreamStart(start: serverStart, fallback: nil, reason: "the server is at \(serverPosition)")
    }

    /// Where `timeline` begins according to the text of its history file (`TTTTTTTT.history`): the switch point
    /// on its last line (`parent TLI <tab> switch LSN <tab> reason`). Nil when the text has no such line.
    public static func switchPoint(historyText: String) -> LSN? {
        for line in historyText.split(separator: "\n").reversed() {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            if fields.count >= 2, UInt32(fields[0]) != nil, let lsn = LSN(String(fields[1])) { return lsn }
        }
        return nil
    }
}
