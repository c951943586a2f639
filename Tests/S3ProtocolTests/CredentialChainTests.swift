// CredentialChainTests: resolution order, file formats and error reporting, on file contents held in memory
// (S3Protocol reads no files; the S3 module's AWSProfileLoader tests read real ones).
import Diagnostics
import Foundation
import TestSupport
import XCTest

@testable import S3Protocol

final class CredentialChainTests: XCTestCase {
    private let home = "/home/tester"
    private let fileSecret = "FILE/secret+Key0123456789abcdefghijklmn"
    private let envSecret = "ENV/secret+Key0123456789abcdefghijklmno"
    /// The files a loader would find, by absolute path; a path not here is absent.
    private var files: [String: AWSSharedFile.Contents] = [:]
    /// The paths the chain asked for, in order, to check what it consults.
    private var consulted: [String] = []

    private func write(_ relativePath: String, _ text: String) throws {
        files[home + "/" + relativePath] = .text(text)
    }

    private func file(_ path: String) -> AWSSharedFile {
        consulted.append(path)
        return AWSSharedFile(path: path, contents: files[path] ?? .absent)
    }

    private func resolve(_ environment: [String: String] = [:]) throws
        -> (credentials: AWSCredentials, region: String?)
    {
        let paths = CredentialChain.sharedFilePaths(environment: environment, homeDirectory: home)
        return try CredentialChain.resolve(
            environment: environment, configFile: file(paths.config),
            credentialsFile: { self.file(paths.credentials) })
    }

    private func resolutionError(_ environment: [String: String] = [:]) -> S3ProtocolError? {
        do {
            _ = try resolve(environment)
            return nil
        } catch {
            return error as? S3ProtocolError
        }
    }

    func testEnvironmentWinsOverProfilesAndConfigRegionIsStillReported() throws {
        try write(
            ".aws/credentials", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = \(fileSecret)\n")
        try write(".aws/config", "[default]\nregion = eu-north-1\n")
        let resolved = try resolve(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": envSecret])
        XCTAssertEqual(resolved.credentials, AWSCredentials(accessKeyId: "AKIDENV", secretAccessKey: envSecret))
        XCTAssertEqual(resolved.region, "eu-north-1")
    }

    func testEnvironmentSessionToken() throws {
        let resolved = try resolve([
            "AWS_ACCESS_KEY_ID": "ASIAENV", "AWS_SECRET_ACCESS_KEY": envSecret,
            "AWS_SESSION_TOKEN": "token-from-env",
        ])
        XCTAssertEqual(resolved.credentials.sessionToken, "token-from-env")
        XCTAssertNil(resolved.region)
    }

    func testHalfAnEnvironmentPairIsAnError() {
        XCTAssertEqual(
            resolutionError(["AWS_ACCESS_KEY_ID": "AKIDENV"]),
            .incompleteCredentials(source: "the environment", missing: "AWS_SECRET_ACCESS_KEY"))
        XCTAssertEqual(
            resolutionError(["AWS_SECRET_ACCESS_KEY": envSecret, "AWS_ACCESS_KEY_ID": ""]),
            .incompleteCredentials(source: "the environment", missing: "AWS_ACCESS_KEY_ID"))
    }

    func testDefaultProfileFromCredentialsFile() throws {
        try write(
            ".aws/credentials",
            """
            # a comment
            ; another comment
            [other]
            aws_access_key_id = AKIDOTHER
            aws_secret_access_key = other-secret

            [default]
            AWS_ACCESS_KEY_ID=AKIDDEFAULT
            aws_secret_access_key: \(fileSecret)
            """)
        let resolved = try resolve()
        XCTAssertEqual(resolved.credentials, AWSCredentials(accessKeyId: "AKIDDEFAULT", secretAccessKey: fileSecret))
    }

    func testNamedProfileWithRegionFromProfileSectionOfConfig() throws {
        try write(
            ".aws/credentials",
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = x\n"
                + "[work]\r\naws_access_key_id = AKIDWORK\r\naws_secret_access_key = \(fileSecret)\r\n"
                + "aws_session_token = work-token\r\n")
        try write(
            ".aws/config",
            "[default]\nregion = us-east-1\n[profile work]\nregion = ap-south-1\n"
                + "s3 =\n    addressing_style = path\n    max_concurrent_requests = 4\noutput = json\n")
        let resolved = try resolve(["AWS_PROFILE": "work"])
        XCTAssertEqual(
            resolved.credentials,
            AWSCredentials(accessKeyId: "AKIDWORK", secretAccessKey: fileSecret, sessionToken: "work-token"))
        XCTAssertEqual(resolved.region, "ap-south-1")
    }

    func testProfileOnlyInConfigFileUsesProfilePrefix() throws {
        try write(
            ".aws/config",
            "[profile ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = \(fileSecret)\n"
                + "aws_session_token = ci-token\nregion = ca-central-1\n")
        let resolved = try resolve(["AWS_PROFILE": "ci"])
        XCTAssertEqual(
            resolved.credentials,
            AWSCredentials(accessKeyId: "AKIDCI", secretAccessKey: fileSecret, sessionToken: "ci-token"))
        XCTAssertEqual(resolved.region, "ca-central-1")
    }

    func testConfigSectionWithoutProfilePrefixIsNotANamedProfile() throws {
        try write(".aws/config", "[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = \(fileSecret)\n")
        guard case .noCredentials? = resolutionError(["AWS_PROFILE": "ci"]) else {
            return XCTFail("a bare [ci] section in the config file must not be used")
        }
    }

    func testDefaultProfileFromConfigFile() throws {
        try write(
            ".aws/config",
            "[default]\naws_access_key_id = AKIDCFG\naws_secret_access_key = \(fileSecret)\n"
                + "region = sa-east-1\n")
        let resolved = try resolve()
        XCTAssertEqual(resolved.credentials.accessKeyId, "AKIDCFG")
        XCTAssertEqual(resolved.region, "sa-east-1")
    }

    func testFileLocationsFromEnvironmentWithTildeExpansion() throws {
        try write(".aws/credentials", "[default]\naws_access_key_id = AKIDWRONG\naws_secret_access_key = x\n")
        try write(
            "elsewhere/creds", "[default]\naws_access_key_id = AKIDRIGHT\naws_secret_access_key = \(fileSecret)\n")
        try write("elsewhere/conf", "[default]\nregion = me-south-1\n")
        let resolved = try resolve([
            "AWS_SHARED_CREDENTIALS_FILE": "~/elsewhere/creds",
            "AWS_CONFIG_FILE": home + "/elsewhere/conf",
        ])
        XCTAssertEqual(resolved.credentials.accessKeyId, "AKIDRIGHT")
        XCTAssertEqual(resolved.region, "me-south-1")
    }

    func testNothingFoundListsEveryPlaceSearched() throws {
        let error = resolutionError(["AWS_PROFILE": "missing"])
        XCTAssertEqual(
            error,
            .noCredentials(searched: [
                "environment variables 'AWS_ACCESS_KEY_ID' and 'AWS_SECRET_ACCESS_KEY'",
                "profile 'missing' in '\(home)/.aws/credentials'",
                "profile 'missing' in '\(home)/.aws/config'",
            ]))
        let hint = try XCTUnwrap(error?.hint)
        for mention in [
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "\(home)/.aws/credentials", "\(home)/.aws/config",
        ] {
            XCTAssertTrue(hint.contains(mention), mention)
        }
        XCTAssertEqual(error?.exitStatus, .usage)
    }

    func testMalformedLineReportsItsNumberAndNotItsContent() throws {
        try write(".aws/credentials", "[default]\naws_access_key_id = AKIDX\n\naws_secret_access_key \(fileSecret)\n")
        let error = resolutionError()
        XCTAssertEqual(error, .malformedCredentialsFile(path: home + "/.aws/credentials", line: 4))
        XCTAssertFalse(String(describing: try XCTUnwrap(error)).contains(fileSecret))
        XCTAssertEqual(error?.exitStatus, .usage)
    }

    func testMalformedShapesAreRejected() throws {
        for (text, line) in [
            ("aws_access_key_id = A\n", 1), ("[default\nx = y\n", 1), ("[default]\n= y\n", 2),
            ("# ok\n  indented first\n", 2), ("[default]\n[]\n", 2),
            ("[default]\r\nx = y\r\n\r\nbad line\r\n", 4),
        ] {
            try write(".aws/config", text)
            XCTAssertEqual(resolutionError(), .malformedCredentialsFile(path: home + "/.aws/config", line: line), text)
        }
    }

    func testHalfAProfilePairIsAnError() throws {
        try write(".aws/credentials", "[default]\naws_secret_access_key = \(fileSecret)\n")
        let error = resolutionError()
        XCTAssertEqual(
            error,
            .incompleteCredentials(
                source: "profile 'default' in '\(home)/.aws/credentials'", missing: "aws_access_key_id"))
        XCTAssertFalse(String(describing: try XCTUnwrap(error)).contains(fileSecret))
    }

    func testUnsupportedProfileMechanismIsNamed() throws {
        try write(".aws/config", "[profile sso]\nsso_session = corp\nregion = us-east-1\n")
        XCTAssertEqual(
            resolutionError(["AWS_PROFILE": "sso"]),
            .unsupportedProfile(profile: "sso", setting: "sso_session", path: home + "/.aws/config"))
    }

    func testSharedFilePathsDefaultUnderHomeAndExpandATilde() {
        let defaults = CredentialChain.sharedFilePaths(environment: [:], homeDirectory: "/home/u/")
        XCTAssertEqual(defaults.config, "/home/u/.aws/config")
        XCTAssertEqual(defaults.credentials, "/home/u/.aws/credentials")
        let set = CredentialChain.sharedFilePaths(
            environment: ["AWS_CONFIG_FILE": "~", "AWS_SHARED_CREDENTIALS_FILE": "relative/creds"], homeDirectory: "/h")
        XCTAssertEqual(set.config, "/h")
        XCTAssertEqual(set.credentials, "relative/creds")
        let empty = CredentialChain.sharedFilePaths(
            environment: ["AWS_CONFIG_FILE": "", "AWS_SHARED_CREDENTIALS_FILE": ""], homeDirectory: "/h")
        XCTAssertEqual(empty.config, "/h/.aws/config")
        XCTAssertEqual(empty.credentials, "/h/.aws/credentials")
    }

    func testCredentialsFileIsConsultedOnlyWithoutAnEnvironmentPair() throws {
        files[home + "/.aws/credentials"] = .unreadable
        let resolved = try resolve(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": envSecret])
        XCTAssertEqual(resolved.credentials.accessKeyId, "AKIDENV")
        XCTAssertEqual(consulted, [home + "/.aws/config"])
        XCTAssertEqual(resolutionError(), .unreadableCredentialsFile(path: home + "/.aws/credentials"))
        XCTAssertEqual(consulted.last, home + "/.aws/credentials")
    }

    func testABrokenConfigFileIsAnErrorEvenWithEnvironmentKeys() {
        files[home + "/.aws/config"] = .unreadable
        XCTAssertEqual(
            resolutionError(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": envSecret]),
            .unreadableCredentialsFile(path: home + "/.aws/config"))
        files[home + "/.aws/config"] = .text("[default]\nregion\n")
        XCTAssertEqual(
            resolutionError(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": envSecret]),
            .malformedCredentialsFile(path: home + "/.aws/config", line: 2))
    }

    func testSecretsNeverAppearInDescriptions() throws {
        let credentials = AWSCredentials(
            accessKeyId: "AKIDSHOWN", secretAccessKey: fileSecret,
            sessionToken: "session-token-secret")
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in [credentials.description, String(reflecting: credentials), "\(credentials)", dumped] {
            XCTAssertTrue(text.contains("AKIDSHOWN"), text)
            XCTAssertFalse(text.contains(fileSecret), text)
            XCTAssertFalse(text.contains("session-token-secret"), text)
        }
    }

    func testErrorMessagesAreLowerCaseWithHints() {
        let errors: [S3ProtocolError] = [
            .noCredentials(searched: ["x"]), .incompleteCredentials(source: "s", missing: "m"),
            .malformedCredentialsFile(path: "/p", line: 3), .unreadableCredentialsFile(path: "/p"),
            .unsupportedProfile(profile: "p", setting: "role_arn", path: "/p"), .malformedResponse("d"),
        ]
        for error in errors {
            XCTAssertEqual(error.message.first.map { String($0) }, error.message.first.map { $0.lowercased() })
            XCTAssertNotNil(error.hint)
        }
        XCTAssertEqual(S3ProtocolError.malformedResponse("d").exitStatus, .failure)
    }
}
