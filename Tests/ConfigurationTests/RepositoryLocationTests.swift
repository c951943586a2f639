// The two repository URL forms, their canonical text, and the mistakes users make when writing them.
import XCTest

@testable import Configuration

final class RepositoryLocationTests: XCTestCase {
    func testFileURLs() throws {
        XCTAssertEqual(
            try RepositoryLocation.parse("file:///var/backups/lifeboat"), .file(path: "/var/backups/lifeboat"))
        XCTAssertEqual(
            try RepositoryLocation.parse("file:///var/backups/lifeboat/"), .file(path: "/var/backups/lifeboat"))
        XCTAssertEqual(try RepositoryLocation.parse("file:/var/backups"), .file(path: "/var/backups"))
        XCTAssertEqual(try RepositoryLocation.parse("FILE://localhost/var/backups"), .file(path: "/var/backups"))
        XCTAssertEqual(try RepositoryLocation.parse("file:///mnt/my%20backups"), .file(path: "/mnt/my backups"))
        XCTAssertEqual(try RepositoryLocation.parse("file:///mnt/a//b/./c"), .file(path: "/mnt/a/b/c"))
    }

    func testS3URLs() throws {
        XCTAssertEqual(try RepositoryLocation.parse("s3://bucket"), .s3(bucket: "bucket", prefix: ""))
        XCTAssertEqual(try RepositoryLocation.parse("s3://bucket/"), .s3(bucket: "bucket", prefix: ""))
        XCTAssertEqual(
            try RepositoryLocation.parse("s3://my.bucket-1/some/prefix"),
            .s3(bucket: "my.bucket-1", prefix: "some/prefix"))
        XCTAssertEqual(
            try RepositoryLocation.parse("s3://bucket//some/prefix/"), .s3(bucket: "bucket", prefix: "some/prefix"))
    }

    func testCanonicalURLRoundTrips() throws {
        let locations: [RepositoryLocation] = [
            .file(path: "/var/backups"), .file(path: "/odd/100%/a?b#c d"), .s3(bucket: "b-1", prefix: ""),
            .s3(bucket: "bucket", prefix: "a/b(1)"),
        ]
        for location in locations {
            XCTAssertEqual(try RepositoryLocation.parse(location.url), location, location.url)
        }
        XCTAssertEqual(RepositoryLocation.s3(bucket: "b", prefix: "p/q").url, "s3://b/p/q")
        XCTAssertEqual(RepositoryLocation.file(path: "/x").url, "file:///x")
    }

    func testRefusedURLsExplainWhy() {
        let cases: [(String, String)] = [
            ("ftp://x", "use 'file:///ABSOLUTE/PATH'"),
            ("/var/backups", "for a local directory write 'file:///var/backups'"),
            ("file:relative/path", "absolute path with three slashes"),
            ("file://server/share", "cannot name a remote host"),
            ("file:///", "name a directory"),
            ("file:///bad%zz", "invalid percent escape"),
            ("file:///a?b", "no query or fragment"),
            ("s3:bucket", "'s3://BUCKET'"),
            ("s3://Bucket", "bucket names are"),
            ("s3://ab", "bucket names are"),
            ("s3://-bucket", "bucket names are"),
            ("s3://bu..cket", "bucket names are"),
            ("s3://192.168.1.1", "bucket names are"),
            ("s3://bucket_x", "bucket names are"),
            ("s3://key:secret@bucket", "credentials do not belong"),
            ("s3://bucket/a//b", "empty, '.' or '..'"),
            ("s3://bucket/a/../b", "empty, '.' or '..'"),
            ("s3://bucket/a b", "prefixes may contain"),
            ("s3://bucket/a%2Fb", "prefixes may contain"),
        ]
        for (url, hintFragment) in cases {
            XCTAssertThrowsError(try RepositoryLocation.parse(url), url) { error in
                guard let error = error as? ConfigError,
                    case .invalidValue(let key, let at, _, let accepted, let hint) = error
                else { return XCTFail("\(error)") }
                XCTAssertEqual(key, "repository.url")
                XCTAssertNil(at)
                XCTAssertEqual(accepted, "file://PATH, s3://BUCKET[/PREFIX]")
                XCTAssertTrue(hint?.contains(hintFragment) ?? false, "\(url): \(hint ?? "nil")")
                XCTAssertEqual(error.exitStatus, .usage)
            }
        }
    }

    func testMessageForStandaloneParseHasNoLocation() {
        XCTAssertThrowsError(try RepositoryLocation.parse("ftp://x")) { error in
            XCTAssertEqual(
                (error as? ConfigError)?.message,
                "invalid value 'ftp://x' for 'repository.url'; accepted: file://PATH, s3://BUCKET[/PREFIX]")
        }
    }
}
