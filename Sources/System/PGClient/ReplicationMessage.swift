// ReplicationMessage: the CopyData messages of physical streaming replication (PostgreSQL's protocol,
// "Streaming Replication Protocol"). Integers are big-endian; times are microseconds since 2000-01-01 UTC.
// Server to client:
//   'w' XLogData: int64 start of the data, int64 the server's end of WAL, int64 send time, then the WAL bytes
//   'k' keepalive: int64 the server's end of WAL, int64 send time, byte 1 = reply requested
// Client to server:
//   'r' standby status update: int64 written, int64 flushed, int64 applied, int64 client time, byte reply wanted
import Foundation

public enum ReplicationMessage {
    /// Valid only while the message buffer is (inside the `readCopyBoth` callback).
    case walData(start: UInt64, serverEnd: UInt64, sentAt: Date, bytes: UnsafeRawBufferPointer)
    case keepalive(serverEnd: UInt64, sentAt: Date, replyRequested: Bool)

    /// 2000-01-01 00:00:00 UTC, PostgreSQL's epoch.
    static let epoch = Date(timeIntervalSince1970: 946_684_800)

    public static func parse(_ message: UnsafeRawBufferPointer) throws -> ReplicationMessage {
        guard let type = message.first else { throw PGError.unexpectedResult("an empty replication message") }
        switch type {
        case UInt8(ascii: "w"):
            guard message.count >= 25 else { throw malformed("WAL data") }
            return .walData(
                start: integer(message, at: 1), serverEnd: integer(message, at: 9),
                sentAt: date(microseconds: Int64(bitPattern: integer(message, at: 17))),
                bytes: UnsafeRawBufferPointer(rebasing: message[25...]))
        case UInt8(ascii: "k"):
            guard message.count >= 18 else { throw malformed("keepalive") }
            return .keepalive(
                serverEnd: integer(message, at: 1),
                sentAt: date(microseconds: Int64(bitPattern: integer(message, at: 9))),
                replyRequested: message[17] != 0)
        default:
            throw PGError.unexpectedResult("an unknown message type \(type) in the replication stream")
        }
    }

    /// A standby status update. `flushed` is what the server may forget (a slot's restart_lsn follows it).
    public static func statusUpdate(written: UInt64, flushed: UInt64, at time: Date, replyRequested: Bool) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(ascii: "r")]
        for value in [written, flushed, 0, UInt64(bitPattern: microseconds(time))] {
            bytes += (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
        }
        bytes.append(replyRequested ? 1 : 0)
        return bytes
    }

    static func integer(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        bytes[offset..<(offset + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince(epoch) * 1_000_000).rounded())
    }

    static func date(microseconds: Int64) -> Date {
        epoch.addingTimeInterval(Double(microseconds) / 1_000_000)
    }

    private static func malformed(_ what: String) -> PGError {
        PGError.unexpectedResult("a malformed \(what) message in the replication stream")
    }
}
