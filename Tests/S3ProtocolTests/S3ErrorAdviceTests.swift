import XCTest

// S3ErrorAdviceTests: user-facing messages name the fix (region, clock, restore) and follow the style rules.
@testable import S3Protocol

final class S3ErrorAdviceTests: XCTestCase {
    private func describe(
        _ status: Int, _ body: String?, key: String? = "backups/base.tar.zst",
        bucketRegion: String? = nil, storageClass: String? = nil
    ) -> (message: String, hint: String) {
        S3ErrorAdvice.describe(
            status: status, error: body.flatMap { S3XML.error(Array($0.utf8)) },
            bucket: "lifeboat-test", key: key, bucketRegion: bucketRegion,
            storageClass: storageClass)
    }

    func testWrongRegionNamesTheServersRegion() {
        let malformed = describe(400, S3XMLFixtures.wrongRegion)
        XCTAssertTrue(malformed.message.contains("'eu-west-1'"), malformed.message)
        XCTAssertTrue(malformed.hint.hasPrefix("set the region to 'eu-west-1'"), malformed.hint)
        let redirect = describe(301, S3XMLFixtures.permanentRedirect)
        XCTAssertTrue(redirect.hint.hasPrefix("set the region to 'eu-west-1'"), redirect.hint)
        let headRedirect = describe(301, nil, bucketRegion: "ap-northeast-1")
        XCTAssertEqual(
            headRedirect.message, "bucket 'lifeboat-test' is in region 'ap-northeast-1', not the configured one")
        let unknown = describe(301, nil)
        XCTAssertTrue(unknown.hint.contains("region"), unknown.hint)
    }

    func testRegionFromEndpoint() {
        XCTAssertEqual(S3ErrorAdvice.region(fromEndpoint: "b.s3.eu-west-1.amazonaws.com"), "eu-west-1")
        XCTAssertEqual(S3ErrorAdvice.region(fromEndpoint: "b.s3-us-west-2.amazonaws.com"), "us-west-2")
        XCTAssertEqual(S3ErrorAdvice.region(fromEndpoint: "s3.dualstack.sa-east-1.amazonaws.com"), "sa-east-1")
        XCTAssertNil(S3ErrorAdvice.region(fromEndpoint: "b.s3.amazonaws.com"))
        XCTAssertNil(S3ErrorAdvice.region(fromEndpoint: "minio.internal:9000"))
    }

    func testClockSkew() {
        let skew = describe(
            403,
            "<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the "
                + "request time and the current time is too large.</Message></Error>")
        XCTAssertTrue(skew.message.contains("clock"), skew.message)
        XCTAssertTrue(skew.hint.contains("ntp"), skew.hint)
    }

    func testArchivedObjectNamesTheClassAndRestoreObject() {
        let fromBody = describe(403, S3XMLFixtures.archived)
        XCTAssertTrue(fromBody.message.contains("'GLACIER'"), fromBody.message)
        XCTAssertTrue(fromBody.message.contains("'backups/base.tar.zst'"), fromBody.message)
        XCTAssertTrue(fromBody.hint.contains("RestoreObject"), fromBody.hint)
        XCTAssertTrue(fromBody.hint.hasSuffix("(s3 request id '9A8B7C6D5E4F3A2B')"), fromBody.hint)
        let fromCaller = describe(
            403, "<Error><Code>InvalidObjectState</Code><Message>m</Message></Error>",
            storageClass: "DEEP_ARCHIVE")
        XCTAssertTrue(fromCaller.message.contains("'DEEP_ARCHIVE'"), fromCaller.message)
    }

    func testCommonCodes() {
        let cases: [(status: Int, code: String, mustMention: String)] = [
            (403, "AccessDenied", "access denied"), (403, "InvalidAccessKeyId", "access key id"),
            (403, "SignatureDoesNotMatch", "signature"), (404, "NoSuchBucket", "bucket 'lifeboat-test' does not exist"),
            (404, "NoSuchKey", "does not exist"), (503, "SlowDown", "slow down"),
            (400, "ExpiredToken", "session token"),
            (500, "InternalError", "'InternalError'"), (404, "NoSuchUpload", "multipart upload"),
            (400, "EntityTooSmall", "minimum part size"),
        ]
        for row in cases {
            let advice = describe(row.status, "<Error><Code>\(row.code)</Code><Message>Server text</Message></Error>")
            XCTAssertTrue(advice.message.contains(row.mustMention), "\(row.code): \(advice.message)")
            XCTAssertFalse(advice.hint.isEmpty, row.code)
        }
    }

    func testBodylessResponsesFallBackOnStatus() {
        XCTAssertEqual(
            describe(404, nil).message, "object 'backups/base.tar.zst' in bucket 'lifeboat-test' does not exist")
        XCTAssertEqual(describe(404, nil, key: nil).message, "bucket 'lifeboat-test' does not exist")
        XCTAssertTrue(describe(403, nil).message.contains("no details"))
        XCTAssertTrue(describe(418, nil).message.contains("status '418'"))
    }

    func testUnknownCodeKeepsServerMessageOnOneBoundedLine() {
        let long = String(repeating: "x", count: 500)
        let advice = describe(
            400,
            "<Error><Code>WeirdThing</Code><Message>line one\nline two \(long)</Message>"
                + "<RequestId>RID1</RequestId></Error>")
        XCTAssertTrue(
            advice.message.hasPrefix(
                "s3 request for object 'backups/base.tar.zst' in bucket 'lifeboat-test' "
                    + "failed with status '400' and code 'WeirdThing': 'line one line two"),
            advice.message)
        XCTAssertFalse(advice.message.contains("\n"))
        XCTAssertLessThan(advice.message.count, 400)
        XCTAssertTrue(advice.hint.contains("'RID1'"))
    }

    func testMessagesStartLowerCase() {
        let codes = [
            "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "NoSuchBucket",
            "NoSuchKey", "NoSuchUpload", "PermanentRedirect", "AuthorizationHeaderMalformed",
            "TemporaryRedirect", "RequestTimeTooSkewed", "InvalidObjectState", "SlowDown", "InternalError",
            "EntityTooSmall", "InvalidPart", "ObjectLockConfigurationNotFoundError", "PreconditionFailed",
            "NotImplemented", "Unheard",
        ]
        for code in codes {
            let advice = describe(400, "<Error><Code>\(code)</Code><Message>M</Message></Error>")
            let first = advice.message.first.map(String.init) ?? ""
            XCTAssertEqual(first, first.lowercased(), "\(code): \(advice.message)")
            XCTAssertFalse(advice.hint.isEmpty, code)
        }
    }
}
