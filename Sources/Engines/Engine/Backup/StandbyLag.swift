// StandbyLag: how far a standby's replay is behind its primary, and whether that is within
// `postgres.standby_max_lag`. Bytes compare the standby's replay position with the primary's current WAL position
// (read first, so a standby that caught up with it in the meantime counts as caught up). Time is the age of the
// last transaction the standby replayed, counted only while it is behind: an idle primary writes no commits, and a
// standby that has replayed everything is not late however old its last commit is.
import Catalog
import Configuration
import Foundation

struct StandbyLag: Equatable {
    /// WAL the primary had written that the standby has not replayed.
    let bytes: UInt64
    /// Zero when caught up; otherwise the age of the last replayed transaction, nil when it replayed none since
    /// it started.
    let seconds: Double?

    init(primary: LSN, replayed: LSN, lastReplayAge: Double?) {
        guard replayed < primary else {
            bytes = 0
            seconds = 0
            return
        }
        bytes = primary.value - replayed.value
        seconds = lastReplayAge.map { max(0, $0) }
    }

    var caughtUp: Bool { bytes == 0 }

    /// True when the lag is beyond `limit`; a time limit with an unknown age counts as beyond it.
    func exceeds(_ limit: StandbyLagLimit) -> Bool {
        switch limit {
        case .bytes(let most): return bytes > UInt64(most)
        case .seconds(let most): return seconds.map { $0 > most } ?? true
        }
    }

    /// "caught up", or "3 MiB behind, last replayed transaction 12s old".
    var description: String {
        guard !caughtUp else { return "caught up" }
        let amount = Self.byteText(bytes) + " behind"
        guard let seconds else { return amount + ", no transaction replayed since it started" }
        return amount + ", last replayed transaction \(DurationText.format(seconds)) old"
    }

    static func byteText(_ bytes: UInt64) -> String {
        let units: [(String, UInt64)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (unit, size) in units where bytes >= size {
            return String(format: "%.1f", Double(bytes) / Double(size)) + " " + unit
        }
        return "\(bytes) bytes"
    }
}
