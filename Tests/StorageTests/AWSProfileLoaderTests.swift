// AWSProfileLoaderTests: the edge that reads the AWS shared files, with real files in a temporary home. How
// their text is parsed and resolved is S3Protocol's CredentialChainTests; here: which files are read, and how
// a missing file, a directory and bytes that are not UTF-8 reach the chain.
import Foundation
import S3
import S3Protocol
import XCTest

final class AWSProfileLoaderTests: XCTestCase {
    private var home = ""
    private let fileSecret = "FILE/secret+Key0123456789abcdefghijklmn"
    private let envKeys = ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "ENV/secret+Key0123456789abcdefg"]

    override func setUpWithError() throws {
        home =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("s3-aws-profiles-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home + "/.aws", withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: home)
    }

    private func write(_ relativePath: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: home + "/" + relativePath))
    }

    private func resolve(_ environment: [String: String] = [:]) throws
        -> (credentials: AWSCredentials, region: String?)
    {
        try AWSProfileLoader.resolve(environment: environment, homeDirectory: home)
    }

    private func resolutionError(_ environment: [String: String] = [:]) -> S3ProtocolError? {
        do {
            _ = try resolve(environment)
            return nil
        } catch {
            return error as? S3ProtocolError
        }
    }

    func testReadsTheCredentialsAndConfigFilesUnderHome() throws {
        try write(".aws/credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = \(fileSecret)")
        try write(".aws/config", "[default]\nregion = eu-north-1\n")
        let resolved = try resolve()
        XCTAssertEqual(resolved.credentials, AWSCredentials(accessKeyId: "AKIDFILE", secretAccessKey: fileSecret))
        XCTAssertEqual(resolved.region, "eu-north-1")
    }

    func testFileLocationsFromEnvironmentWithTildeExpansion() throws {
        try FileManager.default.createDirectory(atPath: home + "/elsewhere", withIntermediateDirectories: true)
        try write(".aws/credentials", "[default]\naws_access_key_id = AKIDWRONG\naws_secret_access_key = x\n")
        try write("elsewhere/creds", "[default]\naws_access_key_id = AKIDRIGHT\naws_secret_access_key = \(fileSecret)")
        try write("elsewhere/conf", "[default]\nregion = me-south-1\n")
        let resolved = try resolve([
            "AWS_SHARED_CREDENTIALS_FILE": "~/elsewhere/creds",
            "AWS_CONFIG_FILE": home + "/elsewhere/conf",
        ])
        XCTAssertEqual(resolved.credentials.accessKeyId, "AKIDRIGHT")
        XCTAssertEqual(resolved.region, "me-south-1")
    }

    func testMissingFilesAreNotAnErrorButAreListedAsSearched() {
        XCTAssertEqual(
            resolutionError(),
            .noCredentials(searched: [
                "environment variables 'AWS_ACCESS_KEY_ID' and 'AWS_SECRET_ACCESS_KEY'",
                "profile 'default' in '\(home)/.aws/credentials'",
                "profile 'default' in '\(home)/.aws/config'",
            ]))
    }

    func testMalformedLineInARealFileNamesThePathAndLine() throws {
        try write(".aws/credentials", "[default]\naws_access_key_id = AKIDX\n\naws_secret_access_key \(fileSecret)\n")
        XCTAssertEqual(resolutionError(), .malformedCredentialsFile(path: home + "/.aws/credentials", line: 4))
    }

    /// A directory exists but yields no bytes: unreadable, named; but only read when the environment has no keys.
    func testADirectoryIsUnreadableAndTheCredentialsFileIsReadOnlyWhenNeeded() throws {
        try FileManager.default.createDirectory(atPath: home + "/.aws/credentials", withIntermediateDirectories: false)
        XCTAssertEqual(resolutionError(), .unreadableCredentialsFile(path: home + "/.aws/credentials"))
        XCTAssertEqual(try resolve(envKeys).credentials.accessKeyId, "AKIDENV")
        try FileManager.default.createDirectory(atPath: home + "/.aws/config", withIntermediateDirectories: false)
        XCTAssertEqual(resolutionError(envKeys), .unreadableCredentialsFile(path: home + "/.aws/config"))
    }

    func testInvalidUTF8IsReplacedNotRefused() throws {
        var bytes = Data("[default]\naws_access_key_id = AKID".utf8)
        bytes.append(contentsOf: [0xFF, 0xFE])
        bytes.append(Data("\naws_secret_access_key = \(fileSecret)\n".utf8))
        try bytes.write(to: URL(fileURLWithPath: home + "/.aws/credentials"))
        let resolved = try resolve()
        XCTAssertEqual(resolved.credentials.accessKeyId, "AKID\u{FFFD}\u{FFFD}")
        XCTAssertEqual(resolved.credentials.secretAccessKey, fileSecret)
    }
}
