// repository.parallel is the store's budget: one download alone keeps `parallel` ranges ahead, downloads and
// uploads running at once share it (each keeping one request in flight). Checked with an executor that serves
// ranges and parts slowly and records how many requests are in flight at once.
import Foundation
import HTTPTransport
import S3Protocol
import Storage
import XCTest

@testable import S3

final class S3TransferShareTests: XCTestCase {
    static let partSize = 1 << 16

    func testTheShareIsTheWholeBudgetAloneAndSplitWhenShared() {
        let share = S3TransferShare(parallel: 4)
        XCTAssertEqual(share.depth, 4)
        share.begin()
        XCTAssertEqual(share.depth, 4)
        share.begin()
        XCTAssertEqual(share.depth, 2)
        for _ in 0..<6 { share.begin() }
        XCTAssertEqual(share.depth, 1, "never less than one each")
        for _ in 0..<8 { share.end() }
        XCTAssertEqual(share.depth, 4)
    }

    func testOneDownloadKeepsTheWholeBudgetAhead() throws {
        let executor = RangeServingExecutor(object: Self.object(parts: 12))
        let store = Self.store(executor, parallel: 4)
        XCTAssertEqual(try Self.readAll(store), executor.object)
        XCTAssertEqual(executor.peak, 4)
    }

    func testDownloadsAndUploadsAtOnceShareTheBudget() throws {
        let executor = RangeServingExecutor(object: Self.object(parts: 12))
        let store = Self.store(executor, parallel: 4)
        let results = (0..<3).map { _ in Shared<Bool>(false) }
        let group = DispatchGroup()
        for index in 0..<3 {
            DispatchQueue.global().async(group: group) {
                if index == 2 {
                    let writer = try? store.makeWriter(for: try ObjectKey("share/up"))
                    let ok = (try? Self.object(parts: 8).withUnsafeBytes { try writer?.write($0) }) != nil
                    results[index].update { $0 = ok && (try? writer?.commit()) != nil }
                } else {
                    results[index].update { $0 = (try? Self.readAll(store)) == executor.object }
                }
            }
        }
        group.wait()
        XCTAssertTrue(results.allSatisfy(\.value))
        // Alone, each would keep 4 in flight (12 at once); shared, the three stay within the store's 4.
        XCTAssertLessThanOrEqual(executor.peak, 4)
        XCTAssertGreaterThanOrEqual(executor.peak, 3, "each transfer keeps a request in flight")
    }

    static func object(parts: Int) -> [UInt8] {
        (0..<(parts * partSize)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    }

    static func readAll(_ store: S3Store) throws -> [UInt8] {
        let reader = try store.open(try ObjectKey("share/object"))
        defer { reader.close() }
        var all: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 50_000)
        while case let count = try buffer.withUnsafeMutableBytes({ try reader.read(into: $0) }), count > 0 {
            all += buffer[0..<count]
        }
        return all
    }

    static func store(_ executor: RangeServingExecutor, parallel: Int) -> S3Store {
        var configuration = S3ExecutorTests.configuration
        configuration.partSize = partSize
        configuration.rangeSize = partSize
        configuration.parallel = parallel
        return S3Store(configuration, executor: executor)
    }
}

/// Serves ranged GETs of one object and accepts multipart uploads, each request taking 20 ms, and records the
/// most requests in flight at once.
final class RangeServingExecutor: S3RequestExecutor, @unchecked Sendable {
    let object: [UInt8]
    // Guarded by `lock`.
    private let lock = NSLock()
    private var inFlight = 0
    private var highest = 0

    init(object: [UInt8]) { self.object = object }

    var peak: Int { lock.withLock { highest } }

    func execute(_ request: S3Request) throws -> S3Exchange {
        lock.withLock {
            inFlight += 1
            highest = max(highest, inFlight)
        }
        defer { lock.withLock { inFlight -= 1 } }
        Thread.sleep(forTimeInterval: 0.02)
        let response: HTTPResponse
        switch request.method {
        case .get:
            response = range(request)
        case .post where request.query.contains { $0.0 == "uploads" }:
            let xml = "<InitiateMultipartUploadResult><UploadId>u</UploadId></InitiateMultipartUploadResult>"
            response = HTTPResponse(status: 200, headers: [:], body: Array(xml.utf8))
        case .post:
            response = HTTPResponse(status: 200, headers: [:], body: Array("<CompleteMultipartUploadResult/>".utf8))
        default:
            response = HTTPResponse(status: 200, headers: ["etag": "\"e\""], body: [])
        }
        return S3Exchange(outcome: .answered(response, error: nil), attempts: ["HTTP \(response.status)"])
    }

    private func range(_ request: S3Request) -> HTTPResponse {
        let header = request.headers.first { $0.0 == "range" }?.1 ?? "bytes=0-"
        let bounds = header.dropFirst("bytes=".count).split(separator: "-").compactMap { Int($0) }
        let start = bounds.first ?? 0
        let end = min(bounds.count > 1 ? bounds[1] : object.count - 1, object.count - 1)
        return HTTPResponse(
            status: 206, headers: ["content-range": "bytes \(start)-\(end)/\(object.count)"],
            body: Array(object[start...end]))
    }
}
