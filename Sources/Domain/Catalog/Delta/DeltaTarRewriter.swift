// DeltaTarRewriter: the `page-lsn` method's one-pass filter between BASE_BACKUP's CopyData messages and the pieced
// writer (docs/format.md §6.5). It reads the server's tar as it streams by and writes the same tar, except that
// each relation file PageLSNDeltaRules picks becomes sparse `LBDELTA.<name>` parts: the blocks it stores, up to
// 128 to a part, each part a tar entry of its own. A tar header gives its entry's size first, and how many blocks
// a file stores is known only at its end: holding one part back (1 MiB) bounds the memory whatever the file's size.
// Memory: one part and one block.
import Foundation

public final class DeltaTarRewriter {
    public typealias Emit = (UnsafeRawBufferPointer) throws -> Void

    private enum State {
        case header
        case passing(remaining: Int64)
        case delta(DeltaFile)
    }

    private struct DeltaFile {
        /// The server's header renamed to the delta's path: each part's header is it with the part's size.
        let header: TarHeader
        let path: String
        let blocks: Int
        let parentBlocks: Int64
        var index = 0
    }

    private var rules: PageLSNDeltaRules
    private let since: LSN
    private let emit: Emit
    private var state = State.header
    private var buffer = [UInt8](repeating: 0, count: PageHeader.blockSize)
    private var filled = 0
    /// After a pax or GNU extension header the next entry's real name is not in its header: leave it alone.
    private var leaveNextAlone = false
    private static let zeros = [UInt8](repeating: 0, count: TarHeader.blockSize)
    public static let magic = Array("LBDELTA2".utf8)
    /// Blocks in a full part; a part's header and numbers are `partHeaderSize` + 4 bytes a block.
    public static let partBlocks = 128
    public static let partHeaderSize = 24
    /// The part being gathered: its blocks back to back, and their numbers.
    private var part = [UInt8](repeating: 0, count: DeltaTarRewriter.partBlocks * PageHeader.blockSize)
    private var partNumbers: [UInt32] = []

    /// Files written as deltas, and their blocks stored and left out.
    public private(set) var deltaFiles = 0
    public private(set) var storedBlocks: Int64 = 0
    public private(set) var skippedBlocks: Int64 = 0

    public init(rules: PageLSNDeltaRules, since: LSN, emit: @escaping Emit) {
        self.rules = rules
        self.since = since
        self.emit = emit
    }

    /// The size of a part entry holding `blocks` blocks.
    public static func partSize(blocks: Int) -> Int64 {
        Int64(partHeaderSize) + Int64(blocks) * Int64(4 + PageHeader.blockSize)
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
                if file.index == file.blocks { try emitPart(of: file, last: true) }
            }
        }
    }

    /// The stream ended: it must end between entries.
    public func finish() throws {
        guard case .header = state, filled == 0 else {
            throw DeltaStreamError.malformedStream("it ends inside an entry")
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
        guard let header = TarHeader(block) else { throw DeltaStreamError.malformedStream("a tar header is invalid") }
        let decision = leaveNextAlone ? .whole : try rules.decide(header)
        leaveNextAlone = header.isExtension
        guard case .delta(let path, let parentBlocks) = decision else {
            try emitBytes(header.bytes)
            state = header.paddedSize > 0 ? .passing(remaining: header.paddedSize) : .header
            return
        }
        let blocks = Int(header.size / Int64(PageHeader.blockSize))
        deltaFiles += 1
        partNumbers.removeAll(keepingCapacity: true)
        let file = DeltaFile(header: header, path: path, blocks: blocks, parentBlocks: parentBlocks)
        // A file of no blocks is never a delta (PageLSNDeltaRules), but its one part would still be written here.
        if blocks == 0 { return try emitPart(of: file, last: true) }
        state = .delta(file)
    }

    private func block(_ file: inout DeltaFile) throws {
        filled = 0
        let store = buffer.withUnsafeBytes { block in
            Int64(file.index) >= file.parentBlocks || PageHeader.mustStore(block, since: since)
        }
        if store {
            // A full part goes out only once another block is to be stored, so that the last part is never empty
            // unless the file stores nothing.
            if partNumbers.count == Self.partBlocks { try emitPart(of: file, last: false) }
            let offset = partNumbers.count * PageHeader.blockSize
            buffer.withUnsafeBytes { block in
                part.withUnsafeMutableBytes {
                    ($0.baseAddress! + offset).copyMemory(from: block.baseAddress!, byteCount: block.count)
                }
            }
            partNumbers.append(UInt32(file.index))
            storedBlocks += 1
        } else {
            skippedBlocks += 1
        }
        file.index += 1
    }

    /// One part entry: header, "LBDELTA2", L, B, n, flags, the n numbers, the n blocks, the tar padding.
    private func emitPart(of file: DeltaFile, last: Bool) throws {
        let count = partNumbers.count
        let size = Self.partSize(blocks: count)
        var head = file.header.renamed(file.path, size: size).bytes
        head += Self.magic + Self.littleEndian(UInt32(file.blocks)) + Self.littleEndian(UInt32(PageHeader.blockSize))
        head += Self.littleEndian(UInt32(count)) + Self.littleEndian(last ? 1 : 0)
        for number in partNumbers { head += Self.littleEndian(number) }
        try emitBytes(head)
        try part.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<count * PageHeader.blockSize])) }
        try emitBytes(Array(Self.zeros[0..<Int(TarHeader.padded(size) - size)]))
        partNumbers.removeAll(keepingCapacity: true)
    }

    private func emitBytes(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try emit($0) }
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
