// WALStream: one START_REPLICATION stream of `wal receive` (WALReceiver.swift). WAL bytes go into the spool file
// of the segment they belong to; a segment that is complete is handed to the storer (WALReceiverStorer), which
// archives it (WALArchive.push) on its own thread while the stream goes on; every `wal.partial_every` the bytes of
// the segment being filled are handed over to be stored as its partial. A position is acknowledged as flushed only
// once the storer has stored everything before it. Standby status updates go out at least every 10 s (the server
// drops a silent receiver after wal_sender_timeout), each asking for a keepalive so the server's end of WAL stays
// fresh.
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
    /// Everything before this is handed to the storer.
    var queued: UInt64
    let storer: WALReceiverStorer
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
        queued = start.value
        serverEnd = start.value
        storer = Self.storer(receiver: receiver, segmentSize: segmentSize, systemIdentifier: systemIdentifier)
    }

    /// Stores jobs as the synchronous receiver used to: a segment through the `wal push` commit path, then its
    /// spool file and its partial removed; a partial replacing the older one.
    static func storer(receiver: WALReceiver, segmentSize: UInt64, systemIdentifier: UInt64) -> WALReceiverStorer {
        WALReceiverStorer { job in
            switch job {
            case .segment(let name, let path, _):
                let result = try receiver.archive.push(path: path)
                unlink(path)
                receiver.archive.removePartial(name)  // also one an earlier run stored (idempotent)
                receiver.context.logger.info(
                    "wal receive archived a segment",
                    metadata: ["wal": "\(name)", "already": "\(result.alreadyArchived)"])
            case .partial(let name, let path, let size, _):
                _ = try receiver.archive.storePartial(
                    path: path, segment: name, size: size, segmentSize: Int64(segmentSize),
                    systemIdentifier: systemIdentifier)
            }
        }
    }

    mutating func run() throws {
        defer {
            storer.stop()
            segment?.close()
        }
        while true {
            try commitStored()
            // While something is being stored, look back soon: its acknowledgement is the receiver's lag.
            let due = min(nextPartialDue, nextStatusDue, storer.pending.count > 0 ? 0.05 : .infinity)
            let wait = max(0.05, due)
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
                try storer.drain()
                try commitStored()
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

    /// The segment is complete: handed to the storer, which archives it as `wal push` archives it.
    mutating func archiveSegment() throws {
        guard let file = segment else { return }
        segment = nil
        file.close()
        try hand(.segment(name: file.name, path: file.path, end: file.end))
    }

    /// Queues a job for the storer; while its queue is full the stream waits, keeping the server's connection
    /// alive with status updates.
    mutating func hand(_ job: WALReceiverStorer.Job) throws {
        while try !storer.enqueue(job, timeout: 1) {
            try commitStored()
            try sendStatus(reply: false)
        }
        queued = job.end
    }

    /// Acknowledges what the storer stored since the last look.
    mutating func commitStored() throws {
        if let stored = try storer.takeStored() { try commit(upTo: stored) }
    }

    // MARK: partial segments

    /// Hands over what the segment being filled holds so far, when that grew since the last hand-over and no
    /// partial is still waiting (the next one comes an interval later and covers it).
    mutating func storePartial() throws {
        lastPartial = Date()
        let pending = storer.pending
        guard let file = segment, position > queued, position > file.start, !pending.partial else {
            // Nothing new to store: refresh the state (lag) all the same.
            if pending.count == 0 { try commit(upTo: committed) }
            return
        }
        try hand(.partial(name: file.name, path: file.path, size: Int64(position - file.start), end: position))
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
