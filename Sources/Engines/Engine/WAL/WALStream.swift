// WALStream: one START_REPLICATION stream of `wal receive` (WALReceiver.swift). WAL bytes go into the spool file
// of the segment they belong to; a segment that is complete is archived (WALArchive.push) and only then
// acknowledged as flushed; every `wal.partial_every` the bytes of the segment being filled are stored as its
// partial and acknowledged. Standby status updates go out at least every 10 s (the server drops a silent
// receiver after wal_sender_timeout), each asking for a keepalive so the server's end of WAL stays fresh.
import Catalog
import Diagnostics
import Foundation
import PGClient
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

struct WALStream {
    let receiver: WALReceiver
    let connection: PGConnection
    let timeline: UInt32
    let segmentSize: UInt64
    let systemIdentifier: UInt64
    /// Next byte expected from the server.
    var position: UInt64
    /// Everything before this is committed to the repository (and acknowledged).
    var committed: UInt64
    /// The server's end of WAL according to its newest message.
    var serverEnd: UInt64
    /// The newest moment (server clock) at which `position` had reached the server's end of WAL, and that position.
    var caughtUp: (position: UInt64, at: Date)?
    var segment: SegmentFile?
    var lastPartial = Date()
    var lastStatus = Date.distantPast

    var context: EngineContext { receiver.context }
    var interval: Double { receiver.settings.partialEvery }

    init(
        receiver: WALReceiver, connection: PGConnection, timeline: UInt32, segmentSize: UInt64,
        systemIdentifier: UInt64, start: LSN
    ) {
        self.receiver = receiver
        self.connection = connection
        self.timeline = timeline
        self.segmentSize = segmentSize
        self.systemIdentifier = systemIdentifier
        position = start.value
        committed = start.value
        serverEnd = start.value
    }

    mutating func run() throws {
        defer { segment?.close() }
        while true {
            let wait = max(0.05, min(nextPartialDue, nextStatusDue))
            var message: (start: UInt64, end: UInt64, at: Date, bytes: [UInt8]?, reply: Bool)?
            let read = try connection.readCopyBoth(timeout: wait) { buffer in
                switch try ReplicationMessage.parse(buffer) {
                case .walData(let start, let end, let at, let bytes):
                    message = (start, end, at, Array(bytes), false)
                case .keepalive(let end, let at, let reply):
                    message = (position, end, at, nil, reply)
                }
            }
            if read == .ended {
                let closing = try connection.finishCopyBoth()
                context.logger.notice(
                    "the server ended the stream", metadata: ["next": "\(closing.first?.rows.first ?? [])"])
                return
            }
            if let message {
                if let bytes = message.bytes { try receive(bytes, at: message.start) }
                serverEnd = max(serverEnd, message.end)
                if position >= serverEnd { caughtUp = (position, message.at) }
                if message.reply { try sendStatus(reply: false) }
            }
            if nextPartialDue <= 0 { try storePartial() }
            if nextStatusDue <= 0 { try sendStatus(reply: true) }
        }
    }

    var nextPartialDue: Double { interval - Date().timeIntervalSince(lastPartial) }
    var nextStatusDue: Double { min(interval, 10) - Date().timeIntervalSince(lastStatus) }

    // MARK: WAL data

    /// Writes `bytes` (WAL from `start`) into the segment files, archiving each segment that completes.
    mutating func receive(_ bytes: [UInt8], at start: UInt64) throws {
        guard start <= position else {
            throw WALReceiveError.streamGap(expected: LSN(position).description, received: LSN(start).description)
        }
        var offset = Int(position - start)  // a resent overlap is skipped
        while offset < bytes.count {
            if segment == nil {
                segment = try SegmentFile(receiver: receiver, timeline: timeline, at: position, size: segmentSize)
            }
            let room = Int(segment!.end - position)
            let count = min(room, bytes.count - offset)
            try bytes.withUnsafeBytes {
                try segment!.write(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + count)]), at: position)
            }
            position += UInt64(count)
            offset += count
            if position == segment!.end { try archiveSegment() }
        }
    }

    /// The segment is complete: archived as `wal push` archives it, its partial removed, then acknowledged.
    mutating func archiveSegment() throws {
        guard let file = segment else { return }
        segment = nil
        file.close()
        let result = try receiver.archive.push(path: file.path)
        unlink(file.path)
        receiver.archive.removePartial(file.name)  // also one an earlier run stored (idempotent)
        context.logger.info(
            "wal receive archived a segment",
            metadata: ["wal": "\(file.name)", "already": "\(result.alreadyArchived)"])
        try commit(upTo: file.end)
    }

    // MARK: partial segments

    /// Stores what the segment being filled holds so far, when that grew since the last commit.
    mutating func storePartial() throws {
        lastPartial = Date()
        guard let file = segment, position > committed, position > file.start else {
            try commit(upTo: committed)  // nothing new: refresh the state (lag) all the same
            return
        }
        _ = try receiver.archive.storePartial(
            path: file.path, segment: file.name, size: Int64(position - file.start), segmentSize: Int64(segmentSize),
            systemIdentifier: systemIdentifier)
        try commit(upTo: position)
    }

    /// `upTo` is committed: acknowledge it, advance the caught-up time, write the state record.
    mutating func commit(upTo lsn: UInt64) throws {
        committed = max(committed, lsn)
        if let caughtUp, caughtUp.position <= committed { receiver.caughtUpAt = caughtUp.at }
        try Failpoint.hit("wal.receive.ack.before")
        try sendStatus(reply: true)
        receiver.writeState(timeline: timeline, committed: committed, serverEnd: serverEnd)
        receiver.warnAboutRetention(serverEnd: serverEnd, committed: committed)
    }

    /// A standby status update: written = received, flushed = committed (the slot may release what is before it).
    mutating func sendStatus(reply: Bool) throws {
        lastStatus = Date()
        try connection.putCopyData(
            ReplicationMessage.statusUpdate(written: position, flushed: committed, at: Date(), replyRequested: reply))
    }
}

/// The spool file of the segment being filled, named as PostgreSQL names it, so `wal push` archives it as is.
struct SegmentFile {
    let name: WALName
    let path: String
    let start: UInt64
    let end: UInt64
    let descriptor: FileDescriptor

    init(receiver: WALReceiver, timeline: UInt32, at position: UInt64, size: UInt64) throws {
        let number = position / size
        let text = LSN.segmentName(timeline: timeline, segment: number, segmentSize: size)
        name = WALName(text)!
        path = receiver.spool.path(text)
        start = number * size
        end = start + size
        guard position == start else {
            throw WALReceiveError.streamGap(expected: LSN(start).description, received: LSN(position).description)
        }
        let path = self.path
        descriptor = try SystemError.mapped {
            try FileDescriptor.open(path, O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW, mode: 0o600)
        } into: {
            WALReceiveError.spoolUnusable(path: path, detail: $0.reason)
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer, at position: UInt64) throws {
        let path = self.path
        let offset = off_t(position - start)
        try SystemError.mapped {
            guard lseek(descriptor.rawValue, offset, SEEK_SET) == offset else { throw SystemError("lseek", path: path) }
            try descriptor.writeAll(bytes, path: path)
        } into: {
            WALReceiveError.spoolUnusable(path: path, detail: $0.reason)
        }
    }

    func close() { descriptor.close() }
}
