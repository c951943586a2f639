// SigV4SignerTests: the signer against botocore's signatures (SigV4Vectors.swift) and the AWS documentation.
import Cipher
import Foundation
import XCTest

@testable import S3Protocol

final class SigV4SignerTests: XCTestCase {
    private func signer(_ v: SigV4Vector) -> SigV4Signer {
        SigV4Signer(
            credentials: AWSCredentials(
                accessKeyId: v.accessKeyId, secretAccessKey: v.secretAccessKey,
                sessionToken: v.sessionToken),
            region: v.region, service: v.service)
    }

    private func date(_ v: SigV4Vector) -> Date { Date(timeIntervalSince1970: TimeInterval(v.epochSeconds)) }

    private func value(_ name: String, in headers: [(String, String)]) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    func testVectorsCoverTheRequiredCases() {
        let names = Set(sigV4Vectors.map(\.name))
        for required in [
            "aws-doc-get-object", "get-empty-payload-minio-port", "list-objects-v2-query",
            "put-unsigned-payload", "post-create-multipart-upload", "put-upload-part-signed-payload",
            "key-with-space-unicode-plus", "session-token-head",
        ] {
            XCTAssertTrue(names.contains(required), required)
        }
    }

    func testAWSDocumentationExampleSignature() throws {
        let v = try XCTUnwrap(sigV4Vectors.first { $0.name == "aws-doc-get-object" })
        let added = signer(v).sign(
            method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
            query: [],
            headers: [
                ("Host", "examplebucket.s3.amazonaws.com"),
                ("Range", "bytes=0-9"),
            ],
            payloadSHA256: SigV4Signer.emptyPayloadSHA256, date: date(v))
        XCTAssertEqual(
            value("Authorization", in: added),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    func testPayloadHashesMatchBotocore() throws {
        for v in sigV4Vectors {
            if let bodyHex = v.bodyHex {
                let body = try XCTUnwrap(Hex.decode(bodyHex))
                XCTAssertEqual(Hex.encode(SHA256Hasher.hash(body)), v.payloadSHA256, v.name)
            } else if v.payloadSHA256 != SigV4Signer.unsignedPayload {
                XCTAssertEqual(v.payloadSHA256, SigV4Signer.emptyPayloadSHA256, v.name)
            }
        }
    }

    func testKeyEncodingMatchesBotocoreSerializer() throws {
        for v in sigV4Vectors {
            guard let key = v.rawKey else { continue }
            XCTAssertTrue(v.path.hasSuffix("/" + S3Path.encodeKey(key)), "\(v.name): \(S3Path.encodeKey(key))")
        }
        XCTAssertEqual(S3Path.encodeKey("a b/c+d/ü~_-."), "a%20b/c%2Bd/%C3%BC~_-.")
        XCTAssertEqual(S3Path.encode("a/b=c&d"), "a%2Fb%3Dc%26d")
    }

    func testCanonicalQueryMatchesBotocore() {
        for v in sigV4Vectors {
            XCTAssertEqual(SigV4Signer.canonicalQueryString(v.query), v.expectedCanonicalQuery, v.name)
        }
        XCTAssertEqual(SigV4Signer.canonicalQueryString([("uploads", "")]), "uploads=")
        XCTAssertEqual(SigV4Signer.canonicalQueryString([("b", "2"), ("a", "z"), ("a", "y")]), "a=y&a=z&b=2")
    }

    func testCanonicalRequestMatchesBotocore() {
        for v in sigV4Vectors {
            let s = signer(v)
            let owned: [(String, String)] =
                [
                    ("x-amz-date", v.expectedAmzDate),
                    ("x-amz-content-sha256", v.payloadSHA256),
                ]
                + (v.sessionToken.map { [("x-amz-security-token", $0)] } ?? [])
            let canonical = SigV4Signer.canonicalHeaders(v.headers + [("Host", v.host)] + owned)
            let request = s.canonicalRequest(
                method: v.method, path: v.path, query: v.query,
                canonicalHeaders: canonical, payloadSHA256: v.payloadSHA256)
            XCTAssertEqual(request, v.expectedCanonicalRequest, v.name)
        }
    }

    func testSignaturesMatchBotocore() {
        for v in sigV4Vectors {
            let added = signer(v).sign(
                method: v.method, host: v.host, path: v.path, query: v.query,
                headers: v.headers + [("Host", v.host)], payloadSHA256: v.payloadSHA256,
                date: date(v))
            XCTAssertEqual(value("Authorization", in: added), v.expectedAuthorization, v.name)
            XCTAssertEqual(value("x-amz-date", in: added), v.expectedAmzDate, v.name)
            XCTAssertEqual(value("x-amz-content-sha256", in: added), v.payloadSHA256, v.name)
            XCTAssertEqual(value("x-amz-security-token", in: added), v.sessionToken, v.name)
            XCTAssertNil(value("host", in: added), "host was given, so it must not be added again: \(v.name)")
            XCTAssertEqual(added.count, v.sessionToken == nil ? 3 : 4, v.name)
        }
    }

    func testHostIsAddedWhenTheCallerOmitsIt() {
        for v in sigV4Vectors {
            let added = signer(v).sign(
                method: v.method, host: v.host, path: v.path, query: v.query,
                headers: v.headers, payloadSHA256: v.payloadSHA256, date: date(v))
            XCTAssertEqual(value("host", in: added), v.host, v.name)
            XCTAssertEqual(value("Authorization", in: added), v.expectedAuthorization, v.name)
        }
    }

    func testSignerOwnedHeadersFromTheCallerAreNotSignedTwice() throws {
        let v = try XCTUnwrap(sigV4Vectors.first { $0.name == "session-token-head" })
        let stale: [(String, String)] = [
            ("X-Amz-Date", "19990101T000000Z"), ("authorization", "old"),
            ("x-amz-content-sha256", "stale"), ("X-Amz-Security-Token", "old"),
        ]
        let added = signer(v).sign(
            method: v.method, host: v.host, path: v.path, query: v.query,
            headers: v.headers + stale + [("host", v.host)],
            payloadSHA256: v.payloadSHA256, date: date(v))
        XCTAssertEqual(value("Authorization", in: added), v.expectedAuthorization)
    }

    func testSubsecondDatesSignAsTheWholeSecond() throws {
        let v = try XCTUnwrap(sigV4Vectors.first { $0.name == "put-unsigned-payload" })
        let added = signer(v).sign(
            method: v.method, host: v.host, path: v.path, query: v.query,
            headers: v.headers, payloadSHA256: v.payloadSHA256,
            date: Date(timeIntervalSince1970: TimeInterval(v.epochSeconds) + 0.999))
        XCTAssertEqual(value("Authorization", in: added), v.expectedAuthorization)
    }

    func testAnyChangeChangesTheSignature() throws {
        let v = try XCTUnwrap(sigV4Vectors.first { $0.name == "list-objects-v2-query" })
        func authorization(
            secret: String = "lifeboat/test+secret=key/0123456789abcdef",
            query: [(String, String)]? = nil, region: String? = nil
        ) -> String? {
            let s = SigV4Signer(
                credentials: AWSCredentials(accessKeyId: v.accessKeyId, secretAccessKey: secret),
                region: region ?? v.region)
            return value(
                "Authorization",
                in: s.sign(
                    method: v.method, host: v.host, path: v.path,
                    query: query ?? v.query, headers: v.headers,
                    payloadSHA256: v.payloadSHA256, date: date(v)))
        }
        XCTAssertEqual(authorization(), v.expectedAuthorization)
        XCTAssertNotEqual(authorization(secret: "wrong"), v.expectedAuthorization)
        XCTAssertNotEqual(authorization(query: [("list-type", "2")]), v.expectedAuthorization)
        XCTAssertNotEqual(authorization(region: "eu-west-1"), v.expectedAuthorization)
    }

    func testAMZDateFormatsAndParses() {
        XCTAssertEqual(AMZDate.basic(Date(timeIntervalSince1970: 0)), "19700101T000000Z")
        XCTAssertEqual(AMZDate.basic(Date(timeIntervalSince1970: 951_868_799)), "20000229T235959Z")
        XCTAssertEqual(AMZDate.basic(Date(timeIntervalSince1970: -86_401)), "19691230T235959Z")
        XCTAssertEqual(AMZDate.basic(Date(timeIntervalSince1970: 4_102_444_800)), "21000101T000000Z")
        XCTAssertEqual(AMZDate.parseISO8601("2009-10-12T17:50:30.000Z"), Date(timeIntervalSince1970: 1_255_369_830))
        XCTAssertEqual(AMZDate.parseISO8601("2009-10-12T17:50:30Z"), Date(timeIntervalSince1970: 1_255_369_830))
        XCTAssertEqual(AMZDate.parseISO8601("2009-10-12T19:50:30+02:00"), Date(timeIntervalSince1970: 1_255_369_830))
        XCTAssertEqual(AMZDate.parseISO8601("1969-12-31T23:59:59.500Z"), Date(timeIntervalSince1970: -0.5))
        for bad in [
            "", "2009-10-12", "2009-10-12T17:50:30", "2009-13-12T17:50:30Z", "2009-10-12T17:50:30.Z",
            "2009-10-12 17:50:30Z", "2009-10-12T17:50:30.000Zjunk", "Mon, 12 Oct 2009 17:50:30 GMT",
        ] {
            XCTAssertNil(AMZDate.parseISO8601(bad), bad)
        }
    }
}
