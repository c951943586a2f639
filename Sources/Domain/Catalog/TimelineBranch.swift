// TimelineBranch: where a timeline left its parent, read from PostgreSQL's timeline history file
// (`0000000T.history`, src/backend/access/transam/timeline.c). Each line is
// `<parent tli>\t<switch point X/X>\t<reason>`, oldest ancestor first; blank lines and `#` comments are
// allowed. The last line names the direct parent and the WAL position where this timeline begins. Pure.
import Foundation

public struct TimelineBranch: Sendable, Equatable {
    public var timeline: UInt32
    public var parent: UInt32
    /// The first WAL position of `timeline`: WAL before it is replayed from the parent.
    public var switchPoint: LSN

    public init(timeline: UInt32, parent: UInt32, switchPoint: LSN) {
        self.timeline = timeline
        self.parent = parent
        self.switchPoint = switchPoint
    }

    /// The branch recorded by `text`, the content of `timeline`'s history file; nil when it names no parent
    /// or a line does not parse (a reader then treats the timeline as unconnected, which is the safe side).
    public init?(timeline: UInt32, historyText text: String) {
        var last: (UInt32, LSN)?
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(whereSeparator: { $0 == "\t" || $0 == " " }).map(String.init)
            guard fields.count >= 2, let parent = UInt32(fields[0]), let lsn = LSN(fields[1]), parent < timeline else {
                return nil
            }
            last = (parent, lsn)
        }
        guard let (parent, lsn) = last else { return nil }
        self.init(timeline: timeline, parent: parent, switchPoint: lsn)
    }
}
