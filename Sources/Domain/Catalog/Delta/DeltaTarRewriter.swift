// DeltaTarRewriter: the `page-lsn` method's one-pass filter between BASE_BACKUP's CopyData messages and the pieced
// writer (docs/format.md §6.5). It reads the server's tar as it streams by and writes the same tar, except that
// each relation file PageLSNDeltaRules picks becomes `LBDELTA.<name>`: a 16-byte header, every block either as
// read or as zeros, and a bitmap of the blocks stored. The new entry's size follows from the old one, so the
// header is written before the data. Memory: one block and the current file's bitmap (16 KiB for a 1 GiB segment).
import Foundation

public final class DeltaTarRewriter {
    public typealias Emit = (UnsafeRawBufferPointer) throws -> Void

    private enum State {
        case header
        case passing(remaining: Int64)
        case delta(DeltaFile)
    }

    private struct DeltaFile {
        let blocks: Int
        let parentBlocks: Int64
        let padding: Int
        var index = 0
        var bitmap: [UInt8]
    }

    private var rules: PageLSNDeltaRules
    private let since: LSN
    private let emit: Emit
    private var state = State.header
    private var buffer = [UInt8](repeating: 0, count: PageHeader.blockSize)
    private var filled = 0
    /// After a pax or GNU extension header the next entry's real name is not in its header: leave it alone.
    private var leaveNextAlone = false
    private static let zeros = [UInt8](repeating: 0, count: PageHeader.blockSize)
    public static let magic = Array("LBDELTA1".utf8)

    /// Files written as deltas, and their blocks stored and left out.
    public private(set) var deltaFiles = 0
    public private(set) var storedBlocks: Int64 = 0
    public private(set) var skippedBlocks: Int64 = 0

    public init(rules: PageLSNDeltaRules, since: LSN, emit: @escaping Emit) {
        self.rules = rules
        self.since = since
        self.emit = emit
    }

    /// The size of the delta entry of a file of `blocks` blocks.
    public static func deltaSize(blocks: Int) -> Int64 {
        16 + Int64(blocks) * Int64(PageHeader.blockSize) + Int64((blocks + 7) / 8)
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var rest = bytes
        while !rest.isEmpty {
            switch state {
            case .header:
                guard fill(from: &rest, upTo: TarHeader.blockSize) else { return }
                try header()
            case .passing(let remaining):
                let take = Int(min(remaining, Int64(rest.count)))
                try emit(UnsafeRawBufferPointer(rebasing: rest.prefix(take)))
                rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(take))
                state = remaining == Int64(take) ? .header : .passing(remaining: remaining - Int64(take))
            case .delta(var file):
                guard fill(from: &rest, upTo: PageHeader.blockSize) else { return }
                try block(&file)
                state = file.index == file.blocks ? .header : .delta(file)
                if file.index == file.blocks { try finish(file) }
            }
        }
    }

    /// The stream ended: it must end between entries.
    public func finish() throws {
        guard case .header = state, filled == 0 else {
            throw DeltaError.malformedStream("it ends inside an entry")
        }
    }

    /// Moves bytes into the buffer until it holds `count`; true when it does.
    private func fill(from rest: inout UnsafeRawBufferPointer, upTo count: Int) -> Bool {
        let take = min(count - filled, rest.count)
        buffer.withUnsafeMutableBytes { target in
            UnsafeMutableRawBufferPointer(rebasing: target[filled..<filled + take]).copyMemory(
                from: UnsafeRawBufferPointer(rebasing: rest.prefix(take)))
        }
        filled += take
        rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(take))
        return filled == count
    }

    private func header() throws {
        let block = buffer[0..<TarHeader.blockSize]
        filled = 0
        if TarHeader.isZeroBlock(block) { return try emitBytes(Array(block)) }
        guard let header = TarHeader(block) else { throw DeltaError.malformedStream("a tar header is invalid") }
        let decision = leaveNextAlone ? .whole : try rules.decide(header)
        leaveNextAlone = header.isExtension
        guard case .delta(let path, let parentBlocks) = decision else {
            try emitBytes(header.bytes)
            state = header.paddedSize > 0 ? .passing(remaining: header.paddedSize) : .header
            return
        }
        let blocks = Int(header.size / Int64(PageHeader.blockSize))
        let size = Self.deltaSize(blocks: blocks)
        try emitBytes(header.renamed(path, size: size).bytes)
        try emitBytes(Self.magic + Self.littleEndian(UInt32(blocks)) + Self.littleEndian(UInt32(PageHeader.blockSize)))
        deltaFiles += 1
        state = .delta(
            DeltaFile(
                blocks: blocks, parentBlocks: parentBlocks, padding: Int(TarHeader.padded(size) - size),
                bitmap: [UInt8](repeating: 0, count: (blocks + 7) / 8)))
    }

    private func block(_ file: inout DeltaFile) throws {
        filled = 0
        let store = try buffer.withUnsafeBytes { block -> Bool in
            let store = Int64(file.index) >= file.parentBlocks || PageHeader.mustStore(block, since: since)
            if store { try emit(block) }
            return store
        }
        if store {
            file.bitmap[file.index / 8] |= 1 << UInt8(file.index % 8)
            storedBlocks += 1
        } else {
            try emitBytes(Self.zeros)
            skippedBlocks += 1
        }
        file.index += 1
    }

    private func finish(_ file: DeltaFile) throws {
        try emitBytes(file.bitmap + [UInt8](repeating: 0, count: file.padding))
    }

    private func emitBytes(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try emit($0) }
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
