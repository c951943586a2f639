// Shared helpers for the HTTPTransport tests: a server per test, the deterministic byte pattern the server
// also produces (byte i = i % 251), echo decoding and memory sampling.
import Foundation
import HTTPTransport
import XCTest

/// Starts a fresh test server before each test and stops every server the test started afterwards.
class ServerTestCase: XCTestCase {
    private(set) var server: TestServer!
    private var extraServers: [TestServer] = []

    override func setUpWithError() throws {
        server = try TestServer()
    }

    override func tearDown() {
        server?.stop()
        extraServers.forEach { $0.stop() }
        extraServers = []
    }

    func startExtraServer(_ arguments: [String]) throws -> TestServer {
        let extra = try TestServer(extraArguments: arguments)
        extraServers.append(extra)
        return extra
    }

    func url(_ path: String) -> String { server.baseURL + path }

    func echo(_ request: HTTPRequest, client: HTTPClient? = nil) throws -> Echo {
        let response = try (client ?? HTTPClient(options: TransportOptions())).send(request)
        XCTAssertEqual(response.status, 200, String(decoding: response.body, as: UTF8.self))
        return try JSONDecoder().decode(Echo.self, from: Data(response.body))
    }

    /// The server's SHA-256 of the first `count` pattern bytes, computed by Python independently of the
    /// Swift pattern code.
    func patternDigest(_ count: Int) throws -> String {
        let response = try HTTPClient(options: TransportOptions()).send(
            HTTPRequest(method: .get, url: url("/pattern-sha256?n=\(count)")))
        struct Digest: Decodable { let sha256: String }
        return try JSONDecoder().decode(Digest.self, from: Data(response.body)).sha256
    }
}

/// What /echo reports about the request it received.
struct Echo: Decodable {
    let method: String
    let path: String
    let headers: [[String]]
    let bodyLength: Int
    let bodySHA256: String
    let bodyHex: String?
    let chunked: Bool
    let clientPort: Int

    /// The test server's JSON names.
    enum CodingKeys: String, CodingKey {
        case method, path, headers, chunked
        case bodyLength = "body_length"
        case bodySHA256 = "body_sha256"
        case bodyHex = "body_hex"
        case clientPort = "client_port"
    }

    var headerNames: [String] { headers.map { $0[0] } }

    func values(_ name: String) -> [String] {
        headers.filter { $0[0].lowercased() == name.lowercased() }.map { $0[1] }
    }
}

enum Pattern {
    static let period = 251
    /// A whole number of periods, so a copy can start at any phase and still be contiguous.
    static let block: [UInt8] = (0..<(period * 4096 + period)).map { UInt8($0 % period) }

    /// Copies pattern bytes for stream offset `offset` into `buffer` (at most ~1 MiB per call).
    static func fill(_ buffer: UnsafeMutableRawBufferPointer, offset: Int64) -> Int {
        let phase = Int(offset % Int64(period))
        let count = min(buffer.count, block.count - period)
        block.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[phase..<(phase + count)]))
        }
        return count
    }

    /// True when `chunk` equals the pattern at stream offset `offset`.
    static func matches(_ chunk: UnsafeRawBufferPointer, offset: Int64) -> Bool {
        var checked = 0
        while checked < chunk.count {
            let phase = Int((offset + Int64(checked)) % Int64(period))
            let count = min(chunk.count - checked, block.count - period)
            let equal = block.withUnsafeBytes { source in
                memcmp(source.baseAddress! + phase, chunk.baseAddress! + checked, count) == 0
            }
            guard equal else { return false }
            checked += count
        }
        return true
    }

    static func bytes(_ count: Int) -> [UInt8] { (0..<count).map { UInt8($0 % period) } }
}

/// Streams `length` pattern bytes; can be told to fail or to lie about its length.
final class PatternSource: BodySource {
    private let length: Int64
    private let failAt: Int64?
    private var offset: Int64 = 0

    init(length: Int64, failAt: Int64? = nil) {
        self.length = length
        self.failAt = failAt
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if let failAt, offset >= failAt { throw SourceFailure() }
        let wanted = Int(min(Int64(buffer.count), length - offset))
        guard wanted > 0 else { return 0 }
        let count = Pattern.fill(UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(wanted)), offset: offset)
        offset += Int64(count)
        return count
    }
}

struct SourceFailure: Error, Equatable {}
struct SinkFailure: Error, Equatable { let afterBytes: Int }

/// Counts factory calls across threads (the factory is @Sendable).
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}

enum Memory {
    /// Resident set size of this process from /proc/self/statm, in bytes.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

/// Asserts that `body` throws a TransportError and returns it for further checks.
func transportError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> TransportError? {
    do {
        try body()
        XCTFail("expected a TransportError, got success", file: file, line: line)
    } catch let error as TransportError {
        return error
    } catch {
        XCTFail("expected a TransportError, got '\(error)'", file: file, line: line)
    }
    return nil
}
