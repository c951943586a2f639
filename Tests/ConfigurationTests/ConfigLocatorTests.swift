// Which file a run uses: --config, ./lifeboat.yml, $LIFEBOAT_CONFIG, /etc/lifeboat/lifeboat.yml, in that order.
import XCTest

@testable import Configuration

final class ConfigLocatorTests: XCTestCase {
    private var root = ""
    private var work = ""
    private var system = ""

    override func setUpWithError() throws {
        root = try Fixture.temporaryDirectory(self)
        work = root + "/work"
        system = root + "/etc/lifeboat.yml"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
    }

    private func touch(_ path: String) throws {
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(Fixture.minimal.utf8)))
    }

    private func resolve(explicit: String? = nil, environment: [String: String] = [:]) throws -> String {
        try ConfigLocator.resolve(
            explicit: explicit, environment: environment, currentDirectory: work, systemPath: system)
    }

    private func searched(_ body: () throws -> String) -> [String]? {
        do {
            let found = try body()
            XCTFail("unexpectedly found \(found)")
        } catch let ConfigError.fileNotFound(searched) {
            return searched
        } catch {
            XCTFail("\(error)")
        }
        return nil
    }

    func testExplicitWinsOverEverything() throws {
        try touch(work + "/lifeboat.yml")
        try touch(system)
        try touch(root + "/chosen.yml")
        XCTAssertEqual(
            try resolve(explicit: "../chosen.yml", environment: ["LIFEBOAT_CONFIG": system]), root + "/chosen.yml")
        XCTAssertEqual(try resolve(explicit: root + "/chosen.yml"), root + "/chosen.yml")
    }

    func testMissingExplicitFileIsAnErrorEvenWhenOthersExist() throws {
        try touch(work + "/lifeboat.yml")
        XCTAssertEqual(searched { try resolve(explicit: "nope.yml") }, [work + "/nope.yml"])
        let error = ConfigError.fileNotFound(searched: [work + "/nope.yml"])
        XCTAssertEqual(error.message, "configuration file '\(work)/nope.yml' does not exist")
        XCTAssertEqual(error.hint, "create one (see README 'Configuration') or pass --config FILE")
        XCTAssertEqual(error.exitStatus, .usage)
        XCTAssertNotNil(searched { try resolve(explicit: "") })
    }

    func testLocalFileBeatsEnvironmentAndSystem() throws {
        try touch(work + "/lifeboat.yml")
        try touch(root + "/env.yml")
        try touch(system)
        XCTAssertEqual(try resolve(environment: ["LIFEBOAT_CONFIG": root + "/env.yml"]), work + "/lifeboat.yml")
    }

    func testEnvironmentBeatsSystem() throws {
        try touch(root + "/env.yml")
        try touch(system)
        XCTAssertEqual(try resolve(environment: ["LIFEBOAT_CONFIG": root + "/env.yml"]), root + "/env.yml")
        XCTAssertEqual(
            try resolve(environment: ["LIFEBOAT_CONFIG": "../env.yml"]), root + "/env.yml",
            "relative to the current directory")
        XCTAssertEqual(try resolve(environment: ["LIFEBOAT_CONFIG": ""]), system, "an empty variable counts as unset")
    }

    func testEnvironmentNamingAMissingFileDoesNotFallBack() throws {
        try touch(system)
        XCTAssertEqual(
            searched { try resolve(environment: ["LIFEBOAT_CONFIG": root + "/gone.yml"]) },
            [work + "/lifeboat.yml", root + "/gone.yml"])
    }

    func testSystemFileIsTheLastResort() throws {
        try touch(system)
        XCTAssertEqual(try resolve(), system)
    }

    func testNothingFoundListsEveryPlaceSearched() throws {
        let places = searched { try resolve() }
        XCTAssertEqual(places, [work + "/lifeboat.yml", system])
        let error = ConfigError.fileNotFound(searched: places ?? [])
        XCTAssertEqual(error.message, "no configuration file found; searched '\(work)/lifeboat.yml', '\(system)'")
        XCTAssertEqual(ConfigLocator.systemPath, "/etc/lifeboat/lifeboat.yml")
    }
}
