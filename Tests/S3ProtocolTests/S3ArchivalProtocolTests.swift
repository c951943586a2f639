// Pure pieces of rehydration and Object Lock: the x-amz-restore header, HTTP and retain-until dates, Object
// Lock headers, the request bodies (exact bytes, plus parsing back), ListObjectVersions and Content-MD5.
import Foundation
import XCTest

@testable import S3Protocol

final class S3ArchivalProtocolTests: XCTestCase {
    private let dec21 = Date(timeIntervalSince1970: 1_356_048_000)  // 2012-12-21T00:00:00Z

    // MARK: x-amz-restore

    func testRestoreHeaderInProgress() {
        XCTAssertEqual(S3RestoreStatus.parse("ongoing-request=\"true\""), S3RestoreStatus(ongoing: true, expiry: nil))
    }

    func testRestoreHeaderDoneWithExpiryContainingAComma() {
        let status = S3RestoreStatus.parse("ongoing-request=\"false\", expiry-date=\"Fri, 21 Dec 2012 00:00:00 GMT\"")
        XCTAssertEqual(status, S3RestoreStatus(ongoing: false, expiry: dec21))
    }

    func testRestoreHeaderToleratesOrderCaseAndSpacing() {
        let status = S3RestoreStatus.parse("Expiry-Date=\"Fri, 21 Dec 2012 00:00:00 GMT\" ,  ONGOING-REQUEST=\"FALSE\"")
        XCTAssertEqual(status, S3RestoreStatus(ongoing: false, expiry: dec21))
    }

    func testRestoreHeaderAbsentOrUnreadableIsNil() {
        XCTAssertNil(S3RestoreStatus.parse(nil))
        XCTAssertNil(S3RestoreStatus.parse(""))
        XCTAssertNil(S3RestoreStatus.parse("expiry-date=\"Fri, 21 Dec 2012 00:00:00 GMT\""))
        XCTAssertNil(S3RestoreStatus.parse("ongoing-request=\"maybe\""))
    }

    func testRestoreHeaderWithBadExpiryKeepsTheStateWithoutADate() {
        XCTAssertEqual(
            S3RestoreStatus.parse("ongoing-request=\"false\", expiry-date=\"tomorrow\""),
            S3RestoreStatus(ongoing: false, expiry: nil))
    }

    func testArchiveClasses() {
        XCTAssertTrue(S3RestoreStatus.isArchiveClass("GLACIER"))
        XCTAssertTrue(S3RestoreStatus.isArchiveClass("DEEP_ARCHIVE"))
        for readable in ["GLACIER_IR", "STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING"] {
            XCTAssertFalse(S3RestoreStatus.isArchiveClass(readable), readable)
        }
        XCTAssertFalse(S3RestoreStatus.isArchiveClass(nil))
    }

    // MARK: dates

    func testHTTPDates() {
        XCTAssertEqual(AMZDate.parseHTTPDate("Fri, 21 Dec 2012 00:00:00 GMT"), dec21)
        XCTAssertEqual(
            AMZDate.parseHTTPDate("Sat, 28 Nov 2026 21:00:00 GMT"), Date(timeIntervalSince1970: 1_795_899_600))
        for bad in [
            "", "21 Dec 2012 00:00:00 GMT", "Fri, 21 Dez 2012 00:00:00 GMT", "Fri, 21 Dec 2012 00:00:00 UTC",
            "Fri, 32 Dec 2012 00:00:00 GMT", "Fri, 21 Dec 2012 24:00:00 GMT", "Fri, 21 Dec 12 00:00:00 GMT",
        ] {
            XCTAssertNil(AMZDate.parseHTTPDate(bad), bad)
        }
    }

    func testRetainUntilDatesAreWholeSecondsUTC() {
        XCTAssertEqual(AMZDate.iso8601Seconds(Date(timeIntervalSince1970: 1_795_899_600.75)), "2026-11-28T21:00:00Z")
        XCTAssertEqual(AMZDate.iso8601Seconds(Date(timeIntervalSince1970: 0)), "1970-01-01T00:00:00Z")
        XCTAssertEqual(AMZDate.parseISO8601(AMZDate.iso8601Seconds(dec21)), dec21)
    }

    // MARK: Object Lock headers

    func testUploadLockHeadersCountDaysFromTheRequest() {
        let now = Date(timeIntervalSince1970: 1_795_899_600 - 3 * 86_400 + 0.5)
        let headers = S3ObjectLockHeaders.upload(mode: "COMPLIANCE", days: 3, now: now)
        XCTAssertEqual(headers.map(\.0), ["x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date"])
        XCTAssertEqual(headers.map(\.1), ["COMPLIANCE", "2026-11-28T21:00:00Z"])
    }

    func testLockStateFromHeadHeaders() {
        let locked = S3ObjectLockHeaders.parse([
            "x-amz-object-lock-mode": "GOVERNANCE",
            "x-amz-object-lock-retain-until-date": "2026-11-28T21:00:00.000Z",
            "x-amz-object-lock-legal-hold": "ON",
        ])
        XCTAssertEqual(locked.mode, "GOVERNANCE")
        XCTAssertEqual(locked.retainUntil, Date(timeIntervalSince1970: 1_795_899_600))
        XCTAssertTrue(locked.legalHold)
        let open = S3ObjectLockHeaders.parse(["x-amz-object-lock-legal-hold": "OFF"])
        XCTAssertNil(open.mode)
        XCTAssertNil(open.retainUntil)
        XCTAssertFalse(open.legalHold)
    }

    func testExtensionOnlyMovesTheDateLaterInWholeSeconds() {
        XCTAssertTrue(S3ObjectLockHeaders.extends(current: nil, to: dec21))
        XCTAssertTrue(S3ObjectLockHeaders.extends(current: dec21, to: dec21.addingTimeInterval(1)))
        XCTAssertFalse(S3ObjectLockHeaders.extends(current: dec21, to: dec21))
        XCTAssertFalse(S3ObjectLockHeaders.extends(current: dec21, to: dec21.addingTimeInterval(0.9)))
        XCTAssertFalse(S3ObjectLockHeaders.extends(current: dec21, to: dec21.addingTimeInterval(-86_400)))
    }

    // MARK: request bodies

    private let prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    private let ns = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""

    func testRestoreRequestBody() throws {
        let body = S3XML.restoreRequest(days: 7, tier: "Standard")
        XCTAssertEqual(
            String(decoding: body, as: UTF8.self),
            prolog + "<RestoreRequest \(ns)><Days>7</Days>"
                + "<GlacierJobParameters><Tier>Standard</Tier></GlacierJobParameters></RestoreRequest>")
        let root = try XCTUnwrap(XMLTree.parse(body))
        XCTAssertEqual(root.value(of: "Days"), "7")
        XCTAssertEqual(root.child("GlacierJobParameters")?.value(of: "Tier"), "Standard")
    }

    func testRetentionRequestBody() throws {
        let body = S3XML.retentionRequest(mode: "GOVERNANCE", retainUntil: "2026-11-28T21:00:00Z")
        XCTAssertEqual(
            String(decoding: body, as: UTF8.self),
            prolog + "<Retention \(ns)><Mode>GOVERNANCE</Mode>"
                + "<RetainUntilDate>2026-11-28T21:00:00Z</RetainUntilDate></Retention>")
        XCTAssertEqual(XMLTree.parse(body)?.value(of: "RetainUntilDate"), "2026-11-28T21:00:00Z")
    }

    func testLegalHoldRequestBodies() {
        XCTAssertEqual(
            String(decoding: S3XML.legalHoldRequest(on: true), as: UTF8.self),
            prolog + "<LegalHold \(ns)><Status>ON</Status></LegalHold>")
        XCTAssertEqual(XMLTree.parse(S3XML.legalHoldRequest(on: false))?.value(of: "Status"), "OFF")
    }

    // MARK: ListObjectVersions

    func testListObjectVersionsKeepsVersionsAndMarkersInOrder() throws {
        let page = try S3XML.listObjectVersions(Array(Self.versionsPage.utf8))
        XCTAssertEqual(
            page.versions,
            [
                S3ObjectVersion(
                    key: "repo/backups/b1/data", versionId: "3/L4kqtJl40Nr8X8gdRQBpUMLUo", isDeleteMarker: true,
                    isLatest: true),
                S3ObjectVersion(key: "repo/backups/b1/data", versionId: "null", isDeleteMarker: false, isLatest: false),
                S3ObjectVersion(
                    key: "repo/backups/b1/data2", versionId: "QUpfdndhfd8438MNFDN93jdnJFkdmqnh893",
                    isDeleteMarker: false, isLatest: true),
            ])
        XCTAssertTrue(page.isTruncated)
        XCTAssertEqual(page.nextKeyMarker, "repo/backups/b1/data2")
        XCTAssertEqual(page.nextVersionIdMarker, "QUpfdndhfd8438MNFDN93jdnJFkdmqnh893")
    }

    func testTruncatedVersionListingWithoutMarkerIsMalformed() {
        let body = "<ListVersionsResult><IsTruncated>true</IsTruncated></ListVersionsResult>"
        XCTAssertThrowsError(try S3XML.listObjectVersions(Array(body.utf8))) { error in
            guard case .malformedResponse? = error as? S3ProtocolError else { return XCTFail("\(error)") }
        }
    }

    // MARK: Content-MD5

    func testContentMD5MatchesRFC1321Vectors() {
        // RFC 1321 A.5: "" -> d41d8cd9..., "abc" -> 90015098..., "message digest" -> f96b697d..., in base64.
        XCTAssertEqual(ContentMD5.value(for: []), "1B2M2Y8AsgTpgAmY7PhCfg==")
        XCTAssertEqual(ContentMD5.value(for: Array("abc".utf8)), "kAFQmDzST7DWlj99KOF/cg==")
        XCTAssertEqual(ContentMD5.header(for: Array("message digest".utf8)).1, "+WtpfXy3k41SWi8xqvFh0A==")
        XCTAssertEqual(ContentMD5.header(for: []).0, "content-md5")
    }

    static let versionsPage = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>lifeboat-versioned</Name>
          <Prefix>repo/backups/b1/data</Prefix>
          <KeyMarker></KeyMarker>
          <VersionIdMarker></VersionIdMarker>
          <NextKeyMarker>repo/backups/b1/data2</NextKeyMarker>
          <NextVersionIdMarker>QUpfdndhfd8438MNFDN93jdnJFkdmqnh893</NextVersionIdMarker>
          <MaxKeys>3</MaxKeys>
          <IsTruncated>true</IsTruncated>
          <DeleteMarker>
            <Key>repo/backups/b1/data</Key>
            <VersionId>3/L4kqtJl40Nr8X8gdRQBpUMLUo</VersionId>
            <IsLatest>true</IsLatest>
            <LastModified>2009-10-12T17:50:30.000Z</LastModified>
          </DeleteMarker>
          <Version>
            <Key>repo/backups/b1/data</Key>
            <VersionId>null</VersionId>
            <IsLatest>false</IsLatest>
            <LastModified>2009-10-10T17:50:30.000Z</LastModified>
            <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag>
            <Size>434234</Size>
            <StorageClass>STANDARD</StorageClass>
          </Version>
          <Version>
            <Key>repo/backups/b1/data2</Key>
            <VersionId>QUpfdndhfd8438MNFDN93jdnJFkdmqnh893</VersionId>
            <IsLatest>true</IsLatest>
            <LastModified>2009-10-12T17:50:30.000Z</LastModified>
            <Size>1</Size>
          </Version>
        </ListVersionsResult>
        """
}
