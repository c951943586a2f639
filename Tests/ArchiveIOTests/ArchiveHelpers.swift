// ArchiveIO test helpers: deterministic data, in-memory archive sinks and sources, raw tar construction.
import ArchiveIO
import Foundation
import TestSupport
import XCTest

enum TestData {
    static func random(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    /// pgbench-like rows: compress well but not trivially.
    static func compressible(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count + 128)
        var row = 1
        while bytes.count < count {
            let line =
                "\(row)\t\(row / 1000 + 1)\t\(Int(rng.next() % 20000) - 10000)\t" + String(repeating: " ", count: 40)
                + "\n"
            bytes.append(contentsOf: line.utf8)
            row += 1
        }
        return Array(bytes.prefix(count))
    }
}

/// Collects a writer's output in memory.
final class ByteSink {
    var bytes: [UInt8] = []
    var calls = 0
    func append(_ buffer: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: buffer)
        calls += 1
    }
}

/// Feeds bytes to a reader in random-sized pieces (1...maxPiece), as a network stream would.
final class ChunkedSource {
    private let bytes: [UInt8]
    private var offset = 0
    private var rng: SplitMix64
    private let maxPiece: Int

    init(_ bytes: [UInt8], seed: UInt64 = 7, maxPiece: Int = 4096) {
        self.bytes = bytes
        self.rng = SplitMix64(seed: seed)
        self.maxPiece = maxPiece
    }

    func fill(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        let wanted = Int(rng.next() % UInt64(maxPiece)) + 1
        let count = min(wanted, buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + count]))
        }
        offset += count
        return count
    }
}

struct WrittenEntry: Equatable {
    let name: String
    let data: [UInt8]
}

extension TarWriter {
    func add(
        _ name: String, _ data: [UInt8], mode: Int32 = 0o600,
        modificationTime: Date = Date(timeIntervalSince1970: 1_700_000_000)
    ) throws {
        try beginEntry(name: name, size: Int64(data.count), mode: mode, modificationTime: modificationTime)
        try data.withUnsafeBytes { try write($0) }
        try finishEntry()
    }
}

extension TarReader {
    convenience init(bytes: [UInt8], seed: UInt64 = 7, maxPiece: Int = 4096) throws {
        let source = ChunkedSource(bytes, seed: seed, maxPiece: maxPiece)
        try self.init(input: source.fill)
    }

    /// Reads the current entry's data with a small, odd-sized buffer to exercise partial reads.
    func readAll(bufferSize: Int = 3000) throws -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: bufferSize)
        while true {
            let count = try buffer.withUnsafeMutableBytes { try read(into: $0) }
            if count == 0 { return result }
            result.append(contentsOf: buffer[0..<count])
        }
    }

    func readAllEntries() throws -> [WrittenEntry] {
        var entries: [WrittenEntry] = []
        while let entry = try nextEntry() {
            entries.append(WrittenEntry(name: entry.name, data: try readAll()))
        }
        return entries
    }
}

/// Builds an archive in memory with `body`, returning the compressed bytes.
func makeArchive(_ compression: ArchiveCompression = .zstd, _ body: (TarWriter) throws -> Void) throws -> [UInt8] {
    let sink = ByteSink()
    let writer = try TarWriter(compression: compression, output: sink.append)
    try body(writer)
    try writer.close()
    return sink.bytes
}

/// Builds uncompressed ustar bytes by hand, for archives Lifeboat itself refuses to write.
enum RawTar {
    static func header(name: String, size: Int, type: UInt8 = UInt8(ascii: "0"), linkName: String = "") -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        put(Array(name.utf8), at: 0, in: &block)
        put(octal(0o644, width: 8), at: 100, in: &block)
        put(octal(0, width: 8), at: 108, in: &block)
        put(octal(0, width: 8), at: 116, in: &block)
        put(octal(size, width: 12), at: 124, in: &block)
        put(octal(1_700_000_000, width: 12), at: 136, in: &block)
        block[156] = type
        put(Array(linkName.utf8), at: 157, in: &block)
        put(Array("ustar\0".utf8), at: 257, in: &block)
        put(Array("00".utf8), at: 263, in: &block)
        for index in 148..<156 { block[index] = UInt8(ascii: " ") }
        let sum = block.reduce(0) { $0 + Int($1) }
        put(Array(String(sum, radix: 8).leftPadded(to: 6).utf8) + [0, UInt8(ascii: " ")], at: 148, in: &block)
        return block
    }

    static func entry(name: String, data: [UInt8], type: UInt8 = UInt8(ascii: "0"), linkName: String = "") -> [UInt8] {
        let padding = (512 - data.count % 512) % 512
        return header(name: name, size: data.count, type: type, linkName: linkName) + data
            + [UInt8](repeating: 0, count: padding)
    }

    /// A pax extended header carrying `path`, so names longer than ustar's 100 bytes can be tested.
    static func paxPath(_ path: String, data: [UInt8]) -> [UInt8] {
        let body = " path=\(path)\n"
        var length = body.utf8.count + String(body.utf8.count).count
        if String(length).count > String(body.utf8.count).count { length += 1 }
        let record = Array("\(length)\(body)".utf8)
        return entry(name: "PaxHeader", data: record, type: UInt8(ascii: "x")) + entry(name: "placeholder", data: data)
    }

    static let end = [UInt8](repeating: 0, count: 1024)

    private static func octal(_ value: Int, width: Int) -> [UInt8] {
        Array(String(value, radix: 8).leftPadded(to: width - 1).utf8) + [0]
    }

    private static func put(_ bytes: [UInt8], at offset: Int, in block: inout [UInt8]) {
        for (index, byte) in bytes.enumerated() { block[offset + index] = byte }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}

/// Runs a command-line tool with `input` on stdin and returns its stdout, or nil if the tool is missing.
func runTool(_ path: String, _ arguments: [String], input: [UInt8]) throws -> [UInt8]? {
    guard FileManager.default.isExecutableFile(atPath: path) else { return nil }
    let run = try ProcessRunner.capture(path, arguments, input: Data(input))
    XCTAssertEqual(run.status, 0, "\(path) failed: " + String(decoding: run.stderr, as: UTF8.self))
    return Array(run.stdout)
}

/// Asserts that `body` throws an ArchiveError and returns it.
@discardableResult
func assertArchiveError<T>(_ body: @autoclosure () throws -> T, file: StaticString = #filePath, line: UInt = #line)
    -> ArchiveError?
{
    do {
        _ = try body()
        XCTFail("expected an ArchiveError, got success", file: file, line: line)
        return nil
    } catch let error as ArchiveError {
        return error
    } catch {
        XCTFail("expected an ArchiveError, got \(error)", file: file, line: line)
        return nil
    }
}
