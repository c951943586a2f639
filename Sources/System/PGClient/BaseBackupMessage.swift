// BaseBackupMessage: one CopyData message of the BASE_BACKUP stream (PostgreSQL 15+ replication protocol,
// src/backend/backup/basebackup_copy.c). The first byte says what it is:
//   'n' new archive: archive name, nul; tablespace location, nul (empty for the main data directory)
//   'd' data of the current archive (or of the manifest, after 'm'); the rest of the message
//   'p' progress: int64, network byte order, bytes sent so far (only with PROGRESS)
//   'm' the backup manifest follows (only with MANIFEST 'yes')
import Foundation

public enum BaseBackupMessage {
    case newArchive(name: String, location: String)
    /// Valid only while the message buffer is: while the `CopyDataMessage` it was parsed from lives.
    case data(UnsafeRawBufferPointer)
    case progress(Int64)
    case manifest

    public static func parse(_ message: UnsafeRawBufferPointer) throws -> BaseBackupMessage {
        guard let type = message.first else { throw PGError.unexpectedResult("an empty base backup message") }
        let body = UnsafeRawBufferPointer(rebasing: message[1...])
        switch type {
        case UInt8(ascii: "d"):
            return .data(body)
        case UInt8(ascii: "n"):
            let fields = body.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count >= 2, body.last == 0 else {
                throw PGError.unexpectedResult("a malformed 'new archive' message in the base backup stream")
            }
            return .newArchive(
                name: String(decoding: fields[0], as: UTF8.self), location: String(decoding: fields[1], as: UTF8.self))
        case UInt8(ascii: "p"):
            guard body.count == 8 else {
                throw PGError.unexpectedResult("a malformed progress message in the base backup stream")
            }
            return .progress(Int64(bitPattern: body.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }))
        case UInt8(ascii: "m"):
            return .manifest
        default:
            throw PGError.unexpectedResult("an unknown message type \(type) in the base backup stream")
        }
    }
}
