// The S3 store against a real S3-compatible server (moto with SigV4 verification on, started by
// scripts/test.sh), directly and through a fault-injecting proxy. Missing servers fail the tests.
import Foundation
import HTTPTransport
import S3
import S3Protocol
import Storage
import TestSupport
import XCTest

final class S3StoreTests: XCTestCase {
    func server(file: StaticString = #filePath, line: UInt = #line) throws -> S3TestServer {
        try S3TestServer.require(file: file, line: line)
    }

    func store(
        _ server: S3TestServer, through url: URL? = nil, secret: String? = nil, partSize: Int = 5 << 20,
        dataClass: String? = nil, attempts: Int = 5
    ) -> S3Store {
        server.store(through: url, secret: secret, partSize: partSize, dataClass: dataClass, attempts: attempts)
    }

    func testConformance() throws {
        try StoreConformance.run(store(try server()))
    }

    /// The views (storage classes, versions, the bucket) work through a decorator against the real server.
    func testConformanceThroughALoggingDecorator() throws {
        let s3 = store(try server())
        let lines = Lines()
        try StoreConformance.run(InterceptedStore(s3, LoggingInterceptor(location: s3.location, log: lines.append)))
        XCTAssertTrue(
            lines.all.contains { $0.contains("setStorageClass 'backups/conformance/archival.bin' done") },
            lines.all.suffix(10).joined(separator: "\n"))
        XCTAssertTrue(lines.all.contains { $0.contains("incompleteUploads '\(s3.configuration.bucket)' done") })
    }

    func testWrongSecretIsRefusedWithAClearMessage() throws {
        let wrong = store(try server(), secret: "not-the-secret")
        XCTAssertThrowsError(try wrong.put(try ObjectKey("a/b"), data: [1])) { error in
            guard let failure = error as? S3Error else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(failure.exitStatus.rawValue, 2, failure.description)
            XCTAssertTrue(
                failure.description.contains("SignatureDoesNotMatch")
                    || failure.description.lowercased().contains("signature"),
                failure.description)
            XCTAssertFalse(failure.description.contains("not-the-secret"))
        }
    }

    func testMultipartUploadOfSeveralPartsRoundTrips() throws {
        let s3 = store(try server(), partSize: 5 << 20)
        let key = try ObjectKey("backups/c/multipart.bin")
        let writer = try s3.makeWriter(for: key)
        var expected = SHA()
        var block = [UInt8](repeating: 0, count: 1 << 20)
        for round in 0..<17 {  // 17 MiB: three full 5 MiB parts and a short last part
            for index in block.indices { block[index] = UInt8(truncatingIfNeeded: index &* 7 &+ round &* 13) }
            expected.add(block)
            try block.withUnsafeBytes { try writer.write($0) }
        }
        XCTAssertNil(try s3.head(key), "a multipart upload is invisible until completed")
        let info = try writer.commit()
        XCTAssertEqual(info.size, 17 << 20)
        var actual = SHA()
        let reader = try s3.open(key)
        var buffer = [UInt8](repeating: 0, count: 300_000)
        while case let count = try buffer.withUnsafeMutableBytes({ try reader.read(into: $0) }), count > 0 {
            actual.add(buffer[0..<count])
        }
        XCTAssertEqual(actual, expected)
    }

    func testAbortedMultipartUploadLeavesNothing() throws {
        let s3 = store(try server(), partSize: 5 << 20)
        let key = try ObjectKey("backups/c/aborted.bin")
        let writer = try s3.makeWriter(for: key)
        try [UInt8](repeating: 3, count: 11 << 20).withUnsafeBytes { try writer.write($0) }
        writer.abort()
        XCTAssertNil(try s3.head(key))
        XCTAssertEqual(try s3.incompleteUploads().count, 0)
    }

    func testStorageClassesAreVisibleAndChangeableAndArchivedReadsAreExplained() throws {
        let s3 = store(try server(), dataClass: "STANDARD_IA")
        let data = try ObjectKey("backups/c/20261121T000000Z-000000/db-0001.tar.zst.lbx")
        let manifest = try ObjectKey("backups/c/20261121T000000Z-000000/manifest.lbx")
        try s3.put(data, data: [1, 2, 3])
        try s3.put(manifest, data: [4])
        XCTAssertEqual(try s3.head(data)?.storageClass, "STANDARD_IA")
        XCTAssertEqual(try s3.head(manifest)?.storageClass, "STANDARD", "metadata stays hot")
        try s3.setStorageClass("GLACIER", for: data)
        XCTAssertEqual(try s3.list(prefix: "backups/c/").first { $0.key == data }?.storageClass, "GLACIER")
        XCTAssertThrowsError(try s3.get(data)) { error in
            XCTAssertTrue("\(error)".contains("GLACIER"), "\(error)")
            XCTAssertTrue("\(error)".contains(data.rawValue), "\(error)")
        }
    }

    // MARK: through the fault proxy

    func testTransientFailuresAreRetried() throws {
        let server = try server()
        let s3 = store(server, through: server.proxyURL)
        let key = try ObjectKey("retry/object")
        try server.queueFaults(json: #"[{"status": 503, "code": "SlowDown"}, {"status": 500}, {"drop_request": true}]"#)
        try s3.put(key, data: Array("survived".utf8))
        XCTAssertEqual(try s3.get(key), Array("survived".utf8))
        let puts = try server.proxyLog().filter {
            ($0["method"] as? String) == "PUT" && ($0["path"] as? String ?? "").hasSuffix("retry/object")
        }
        XCTAssertGreaterThanOrEqual(puts.count, 4, "three failures and the success: \(puts)")
    }

    func testDroppedDownloadIsResumedByRange() throws {
        let server = try server()
        let s3 = store(server, through: server.proxyURL)
        let key = try ObjectKey("retry/download")
        let payload = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try s3.put(key, data: payload)
        try server.queueFaults(json: #"[{"match": "GET", "drop_after_bytes": 100000}]"#)
        XCTAssertEqual(try s3.get(key), payload)
    }

    func testDownloadRangesAreOnePartSizeEach() throws {
        let server = try server()
        let s3 = store(server, through: server.proxyURL, partSize: 5 << 20)
        let key = try ObjectKey("ranges/part-sized")
        let payload = (0..<((10 << 20) + 1)).map { UInt8(truncatingIfNeeded: $0 &* 17) }
        try s3.put(key, data: payload)
        XCTAssertEqual(try s3.get(key), payload)
        let gets = try server.proxyLog().filter {
            ($0["method"] as? String) == "GET" && ($0["path"] as? String ?? "").hasSuffix("ranges/part-sized")
        }
        XCTAssertEqual(gets.count, 3, "two 5 MiB ranges and the last byte: \(gets)")
    }

    func testPermanentFailuresAreNotRetriedAndGivingUpSummarisesAttempts() throws {
        let server = try server()
        let s3 = store(server, through: server.proxyURL, attempts: 3)
        try server.queueFaults(json: #"[{"status": 403, "code": "AccessDenied"}]"#)
        XCTAssertThrowsError(try s3.put(try ObjectKey("retry/denied"), data: [1]))
        try server.queueFaults(
            json:
                #"[{"status": 503, "code": "SlowDown"}, {"status": 503, "code": "SlowDown"}, {"status": 503, "code": "SlowDown"}]"#
        )
        XCTAssertThrowsError(try s3.put(try ObjectKey("retry/given-up"), data: [1])) { error in
            XCTAssertTrue("\(error)".contains("after 3 attempts"), "\(error)")
        }
        let log = try server.proxyLog()
        XCTAssertEqual(
            log.filter { ($0["path"] as? String ?? "").hasSuffix(s3.configuration.prefix + "/retry/denied") }.count, 1,
            "403 is never retried")
    }
}
