// Reading the file itself: missing, a directory, unreadable, too large, not UTF-8.
import XCTest

@testable import Configuration

final class ConfigFileTests: XCTestCase {
    private func loadError(_ path: String) -> ConfigError? {
        do {
            _ = try ConfigLoader.load(path: path)
            XCTFail("expected an error loading \(path)")
        } catch let error as ConfigError {
            return error
        } catch {
            XCTFail("\(error)")
        }
        return nil
    }

    func testMissingFile() throws {
        let directory = try Fixture.temporaryDirectory(self)
        XCTAssertEqual(loadError(directory + "/absent.yml"), .fileNotFound(searched: [directory + "/absent.yml"]))
    }

    func testDirectory() throws {
        let directory = try Fixture.temporaryDirectory(self)
        XCTAssertEqual(loadError(directory), .unreadable(path: directory, reason: "it is a directory"))
    }

    func testTooLarge() throws {
        let file = try Fixture.temporaryDirectory(self) + "/big.yml"
        try Data(repeating: UInt8(ascii: "#"), count: ConfigLoader.maximumFileSize + 1).write(
            to: URL(fileURLWithPath: file))
        XCTAssertEqual(loadError(file), .unreadable(path: file, reason: "it is larger than 1 MiB"))
    }

    func testNotUTF8() throws {
        let file = try Fixture.temporaryDirectory(self) + "/latin1.yml"
        try Data([0x63, 0x6C, 0x75, 0x73, 0x74, 0x65, 0x72, 0x3A, 0x20, 0xE9, 0x0A]).write(
            to: URL(fileURLWithPath: file))
        XCTAssertEqual(loadError(file), .unreadable(path: file, reason: "it is not valid UTF-8 text"))
    }

    func testUnreadable() throws {
        try XCTSkipIf(geteuid() == 0, "root reads files regardless of their mode")
        let file = try Fixture.temporaryDirectory(self) + "/secret.yml"
        try Fixture.minimal.write(toFile: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: file)
        XCTAssertEqual(loadError(file), .unreadable(path: file, reason: "permission denied"))
    }

    func testErrorsNameTheLoadedFile() throws {
        let file = try Fixture.temporaryDirectory(self) + "/lifeboat.yml"
        try (Fixture.minimal + "colour: blue\n").write(toFile: file, atomically: true, encoding: .utf8)
        guard case .unknownKey("colour", let at, _) = try XCTUnwrap(loadError(file)) else {
            return XCTFail("expected unknown key")
        }
        XCTAssertEqual(at, SourceLocation(file: file, line: 8))
    }
}
