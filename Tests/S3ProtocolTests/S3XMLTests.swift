// S3XMLTests: response readers against documented response shapes; request writers checked by parsing
// back and by Python's xml.etree (an independent parser) when python3 is available.
import Foundation
import XCTest

@testable import S3Protocol

final class S3XMLTests: XCTestCase {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func assertMalformed(
        _ body: String, file: StaticString = #filePath, line: UInt = #line,
        _ read: ([UInt8]) throws -> Void
    ) {
        XCTAssertThrowsError(try read(bytes(body)), file: file, line: line) { error in
            guard case .malformedResponse? = error as? S3ProtocolError else {
                return XCTFail("expected malformedResponse, got \(error)", file: file, line: line)
            }
        }
    }

    func testListObjectsTruncatedPage() throws {
        let page = try S3XML.listObjectsV2(bytes(S3XMLFixtures.listTruncated))
        XCTAssertTrue(page.isTruncated)
        XCTAssertEqual(page.nextContinuationToken, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwN=")
        XCTAssertEqual(
            page.objects,
            [
                S3ObjectSummary(
                    key: "backups/2009-10-12/base.tar.zst", size: 434_234,
                    lastModified: Date(timeIntervalSince1970: 1_255_369_830), storageClass: "STANDARD",
                    eTag: "\"fba9dede5f27731c9771645a39863328\""),
                S3ObjectSummary(
                    key: "backups/2009-10-12/old & cold <1>.tar", size: 5_368_709_120_000,
                    lastModified: Date(timeIntervalSince1970: 1_289_422_113), storageClass: "GLACIER",
                    eTag: "\"599bab3ed2c697f1d26842727561fd94-3\""),
            ])
    }

    func testListObjectsLastAndEmptyPages() throws {
        let last = try S3XML.listObjectsV2(bytes(S3XMLFixtures.listLastPage))
        XCTAssertFalse(last.isTruncated)
        XCTAssertNil(last.nextContinuationToken)
        XCTAssertEqual(
            last.objects,
            [
                S3ObjectSummary(
                    key: " leading and trailing space ", size: 0,
                    lastModified: Date(timeIntervalSince1970: 1_714_557_600))
            ])
        let empty = try S3XML.listObjectsV2(bytes(S3XMLFixtures.listEmpty))
        XCTAssertTrue(empty.objects.isEmpty)
        XCTAssertFalse(empty.isTruncated)
    }

    func testListObjectsDecodesURLEncodedKeys() throws {
        let page = try S3XML.listObjectsV2(bytes(S3XMLFixtures.listURLEncoded))
        XCTAssertEqual(page.objects.map(\.key), ["a/b c+dü\r"])
        XCTAssertEqual(page.objects.first?.storageClass, "DEEP_ARCHIVE")
    }

    func testListObjectsWithPrefixedNamespace() throws {
        let page = try S3XML.listObjectsV2(bytes(S3XMLFixtures.listPrefixedNamespace))
        XCTAssertEqual(page.objects.map(\.key), ["k"])
        XCTAssertEqual(page.objects.first?.size, 1)
    }

    func testListObjectsRejectsWhatItCannotTrust() {
        let truncatedWithoutToken = S3XMLFixtures.listTruncated
            .replacingOccurrences(of: "NextContinuationToken", with: "SomethingElse")
        assertMalformed(truncatedWithoutToken) { _ = try S3XML.listObjectsV2($0) }
        assertMalformed(S3XMLFixtures.listTruncated.replacingOccurrences(of: "<Size>434234</Size>", with: "")) {
            _ = try S3XML.listObjectsV2($0)
        }
        assertMalformed(
            S3XMLFixtures.listTruncated.replacingOccurrences(
                of: "2009-10-12T17:50:30.000Z",
                with: "yesterday")
        ) {
            _ = try S3XML.listObjectsV2($0)
        }
        assertMalformed(S3XMLFixtures.noSuchKey) { _ = try S3XML.listObjectsV2($0) }
        assertMalformed(S3XMLFixtures.htmlPage) { _ = try S3XML.listObjectsV2($0) }
        assertMalformed("") { _ = try S3XML.listObjectsV2($0) }
        assertMalformed("<ListBucketResult><Contents>") { _ = try S3XML.listObjectsV2($0) }
    }

    func testInitiateMultipartUpload() throws {
        XCTAssertEqual(
            try S3XML.initiateMultipartUpload(bytes(S3XMLFixtures.initiate)),
            "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA")
        assertMalformed(S3XMLFixtures.initiate.replacingOccurrences(of: "UploadId", with: "Upload")) {
            _ = try S3XML.initiateMultipartUpload($0)
        }
    }

    func testCompleteMultipartUploadDetectsErrorInsideStatus200() throws {
        XCTAssertNil(try S3XML.completeMultipartUploadResult(bytes(S3XMLFixtures.completeOK)))
        let error = try XCTUnwrap(try S3XML.completeMultipartUploadResult(bytes(S3XMLFixtures.completeWithError)))
        XCTAssertEqual(
            error,
            S3ErrorBody(
                code: "InternalError",
                message: "We encountered an internal error. Please try again.",
                requestId: "656c76696e6727732072657175657374"))
        XCTAssertTrue(RetryPolicy.isTransient(status: 200, code: error.code))
        assertMalformed("   ") { _ = try S3XML.completeMultipartUploadResult($0) }
        assertMalformed(S3XMLFixtures.htmlPage) { _ = try S3XML.completeMultipartUploadResult($0) }
    }

    func testListMultipartUploads() throws {
        let listing = try S3XML.listMultipartUploads(bytes(S3XMLFixtures.listUploads))
        XCTAssertTrue(listing.isTruncated)
        XCTAssertEqual(listing.nextKeyMarker, "my-movie.m2ts")
        XCTAssertEqual(listing.nextUploadIdMarker, "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ")
        XCTAssertEqual(listing.uploads.map(\.key), ["my-divisor", "my-movie.m2ts", "no-date"])
        XCTAssertEqual(
            listing.uploads.map(\.uploadId),
            [
                "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw",
                "VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA",
                "b4kUpbG9hZA",
            ])
        XCTAssertEqual(
            listing.uploads.map(\.initiated),
            [
                Date(timeIntervalSince1970: 1_289_422_113),
                Date(timeIntervalSince1970: 1_289_422_113), nil,
            ])
        let empty = try S3XML.listMultipartUploads(bytes(S3XMLFixtures.listUploadsEmpty))
        XCTAssertTrue(empty.uploads.isEmpty)
        XCTAssertFalse(empty.isTruncated)
        XCTAssertNil(empty.nextKeyMarker)
        XCTAssertNil(empty.nextUploadIdMarker)
    }

    func testErrorBodies() {
        XCTAssertEqual(
            S3XML.error(bytes(S3XMLFixtures.noSuchKey)),
            S3ErrorBody(
                code: "NoSuchKey", message: "The resource you requested does not exist",
                requestId: "4442587FB7D0A2F9"))
        XCTAssertEqual(S3XML.error(bytes(S3XMLFixtures.wrongRegion))?.region, "eu-west-1")
        XCTAssertEqual(
            S3XML.error(bytes(S3XMLFixtures.permanentRedirect))?.endpoint,
            "lifeboat-test.s3.eu-west-1.amazonaws.com")
        XCTAssertEqual(S3XML.error(bytes(S3XMLFixtures.archived))?.storageClass, "GLACIER")
        XCTAssertEqual(
            S3XML.error(bytes(S3XMLFixtures.rgwNoSuchBucket)),
            S3ErrorBody(
                code: "NoSuchBucket", message: "",
                requestId: "tx00000b5e8d3c6a1f1e2d3-0066321a2b-1234-default"))
        for notAnError in [
            "", S3XMLFixtures.htmlPage, "{\"Code\":\"x\"}", S3XMLFixtures.completeOK,
            "<Error><Message>no code</Message></Error>",
        ] {
            XCTAssertNil(S3XML.error(bytes(notAnError)), notAnError)
        }
    }

    func testVersioningStatus() throws {
        XCTAssertEqual(try S3XML.versioningStatus(bytes(S3XMLFixtures.versioningEnabled)), "Enabled")
        XCTAssertEqual(try S3XML.versioningStatus(bytes(S3XMLFixtures.versioningSuspended)), "Suspended")
        XCTAssertNil(try S3XML.versioningStatus(bytes(S3XMLFixtures.versioningNever)))
        assertMalformed(S3XMLFixtures.noSuchKey) { _ = try S3XML.versioningStatus($0) }
    }

    func testObjectLockConfiguration() throws {
        let governance = try S3XML.objectLockConfiguration(bytes(S3XMLFixtures.lockGovernanceDays))
        XCTAssertTrue(governance.enabled)
        XCTAssertEqual(governance.mode, "GOVERNANCE")
        XCTAssertEqual(governance.days, 30)
        XCTAssertNil(governance.years)
        let compliance = try S3XML.objectLockConfiguration(bytes(S3XMLFixtures.lockComplianceYears))
        XCTAssertEqual(compliance.mode, "COMPLIANCE")
        XCTAssertEqual(compliance.years, 7)
        XCTAssertNil(compliance.days)
        let bare = try S3XML.objectLockConfiguration(bytes(S3XMLFixtures.lockEnabledNoRule))
        XCTAssertTrue(bare.enabled)
        XCTAssertNil(bare.mode)
        assertMalformed(S3XMLFixtures.lockGovernanceDays.replacingOccurrences(of: ">30<", with: ">thirty<")) {
            _ = try S3XML.objectLockConfiguration($0)
        }
    }

    // MARK: - Request bodies

    private let parts: [(number: Int, eTag: String, checksumSHA256: String?)] = [
        (3, "\"c3\"", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="),
        (1, "\"a54357aff0632cce46d942af68356b38\"", nil),
        (2, "odd & <etag>", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
    ]

    func testCompleteMultipartUploadRequestParsesBackInPartOrder() throws {
        let body = S3XML.completeMultipartUploadRequest(parts: parts)
        let root = try XCTUnwrap(XMLTree.parse(body))
        XCTAssertEqual(root.name, "CompleteMultipartUpload")
        let parsed = root.children(named: "Part")
        XCTAssertEqual(parsed.map { $0.text(of: "PartNumber") }, ["1", "2", "3"])
        XCTAssertEqual(
            parsed.map { $0.text(of: "ETag") },
            ["\"a54357aff0632cce46d942af68356b38\"", "odd & <etag>", "\"c3\""])
        XCTAssertEqual(
            parsed.map { $0.text(of: "ChecksumSHA256") },
            [
                nil, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
                "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=",
            ])
    }

    func testCompleteMultipartUploadRequestWithPythonElementTree() throws {
        let script = """
            import json, sys, xml.etree.ElementTree as ET
            root = ET.fromstring(sys.stdin.buffer.read())
            ns = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
            assert root.tag == "{http://s3.amazonaws.com/doc/2006-03-01/}CompleteMultipartUpload", root.tag
            out = [[p.findtext("s3:PartNumber", namespaces=ns), p.findtext("s3:ETag", namespaces=ns),
                    p.findtext("s3:ChecksumSHA256", namespaces=ns)] for p in root.findall("s3:Part", ns)]
            print(json.dumps(out))
            """
        let output = try runPython(script, input: S3XML.completeMultipartUploadRequest(parts: parts))
        let decoded = try JSONDecoder().decode([[String?]].self, from: Data(output.utf8))
        XCTAssertEqual(
            decoded,
            [
                ["1", "\"a54357aff0632cce46d942af68356b38\"", nil],
                ["2", "odd & <etag>", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="],
                ["3", "\"c3\"", "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="],
            ])
    }

    func testDeleteObjectsRequestKeepsAwkwardKeysExact() throws {
        let keys = ["plain/key", "a&b<c>\"d'", "carriage\rreturn", "new\nline", "tab\there", " spaced ", "ü/€"]
        let body = S3XML.deleteObjectsRequest(keys: keys, quiet: true)
        let root = try XCTUnwrap(XMLTree.parse(body))
        XCTAssertEqual(root.name, "Delete")
        XCTAssertEqual(root.value(of: "Quiet"), "true")
        XCTAssertEqual(root.children(named: "Object").map { $0.text(of: "Key") }, keys)
        let script = """
            import json, sys, xml.etree.ElementTree as ET
            root = ET.fromstring(sys.stdin.buffer.read())
            ns = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
            print(json.dumps([o.findtext("s3:Key", namespaces=ns) for o in root.findall("s3:Object", ns)]))
            """
        let output = try runPython(script, input: body)
        XCTAssertEqual(try JSONDecoder().decode([String].self, from: Data(output.utf8)), keys)
        let loud = try XCTUnwrap(XMLTree.parse(S3XML.deleteObjectsRequest(keys: ["k"], quiet: false)))
        XCTAssertNil(loud.child("Quiet"))
    }

    /// Runs python3 with `input` on stdin; skips the test when python3 is not installed.
    private func runPython(_ script: String, input: [UInt8]) throws -> String {
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let python else { throw XCTSkip("python3 is not installed") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "python3 failed")
        return String(decoding: output, as: UTF8.self)
    }
}
