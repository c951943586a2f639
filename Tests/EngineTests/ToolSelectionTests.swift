// ToolSelectionTests: which pg_dump/pg_restore/psql/initdb/pg_ctl serves a server of a given major — client tools
// of that major or newer, server tools of exactly that major — and the error when only wrong versions exist.
import Diagnostics
import Foundation
import XCTest

@testable import Engine

final class ToolSelectionTests: XCTestCase {
    func candidates(_ pairs: [(String, Int?)]) -> [ToolCandidate] {
        pairs.map { ToolCandidate(path: $0.0, major: $0.1) }
    }

    // MARK: requirement

    func testClientToolsNeedTheServersMajorOrNewerServerToolsExactlyIt() {
        XCTAssertEqual(ToolRequirement.forTool("pg_dump", serverMajor: 17), .atLeast(17))
        XCTAssertEqual(ToolRequirement.forTool("pg_restore", serverMajor: 17), .atLeast(17))
        XCTAssertEqual(ToolRequirement.forTool("pg_dumpall", serverMajor: 18), .atLeast(18))
        XCTAssertEqual(ToolRequirement.forTool("psql", serverMajor: 15), .atLeast(15))
        XCTAssertEqual(ToolRequirement.forTool("initdb", serverMajor: 17), .exactly(17))
        XCTAssertEqual(ToolRequirement.forTool("pg_ctl", serverMajor: 18), .exactly(18))
        XCTAssertEqual(ToolRequirement.forTool("pg_dump", serverMajor: nil), .any)
        XCTAssertEqual(ToolRequirement.forTool("pg_ctl", serverMajor: nil), .any)
    }

    func testRequirementAcceptsVersions() {
        XCTAssertTrue(ToolRequirement.atLeast(17).accepts(17))
        XCTAssertTrue(ToolRequirement.atLeast(17).accepts(18))
        XCTAssertFalse(ToolRequirement.atLeast(17).accepts(15))
        XCTAssertTrue(ToolRequirement.exactly(17).accepts(17))
        XCTAssertFalse(ToolRequirement.exactly(17).accepts(18))
        XCTAssertFalse(ToolRequirement.exactly(17).accepts(15))
        XCTAssertTrue(ToolRequirement.any.accepts(9))
        XCTAssertTrue(
            ToolRequirement.exactly(17).accepts(nil),
            "a version that cannot be read does not refuse the tool")
    }

    // MARK: choice

    func testFirstFittingCandidateInSearchOrderWins() throws {
        let found = candidates([("/usr/lib/postgresql/17/bin/pg_dump", 17), ("/usr/bin/pg_dump", 18)])
        XCTAssertEqual(
            try ToolSelection.choose("pg_dump", requirement: .atLeast(17), candidates: found, searched: []),
            "/usr/lib/postgresql/17/bin/pg_dump")
    }

    func testOlderClientOnPathIsSkippedForANewerOne() throws {
        let found = candidates([("/usr/bin/pg_dump", 15), ("/usr/lib/postgresql/18/bin/pg_dump", 18)])
        XCTAssertEqual(
            try ToolSelection.choose("pg_dump", requirement: .atLeast(17), candidates: found, searched: []),
            "/usr/lib/postgresql/18/bin/pg_dump")
    }

    func testNewerServerToolsDoNotServeAnOlderDataDirectory() throws {
        let found = candidates([("/opt/pg/18/bin/pg_ctl", 18), ("/opt/pg/17/bin/pg_ctl", 17)])
        XCTAssertEqual(
            try ToolSelection.choose("pg_ctl", requirement: .exactly(17), candidates: found, searched: []),
            "/opt/pg/17/bin/pg_ctl")
    }

    func testOnlyOlderClientToolsIsAUsageErrorNamingVersionsAndTheFix() {
        let found = candidates([("/usr/lib/postgresql/15/bin/pg_dump", 15)])
        XCTAssertThrowsError(
            try ToolSelection.choose(
                "pg_dump", requirement: .atLeast(17), candidates: found,
                searched: ["/usr/lib/postgresql/15/bin"])
        ) { error in
            guard let error = error as? EngineError, case .toolVersionMismatch = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(error.exitStatus, .usage)
            XCTAssertEqual(
                error.message,
                "'pg_dump' of PostgreSQL 17 or newer is needed for a PostgreSQL 17 server; "
                    + "found only '/usr/lib/postgresql/15/bin/pg_dump' (PostgreSQL 15)")
            XCTAssertEqual(
                error.hint,
                "set postgres.bin_dir to the bin directory of PostgreSQL 17 (or newer) client "
                    + "tools (e.g. /usr/lib/postgresql/17/bin)")
        }
    }

    func testWrongServerToolsNameTheExactMajor() {
        let found = candidates([("/usr/bin/pg_ctl", 15), ("/usr/lib/postgresql/18/bin/pg_ctl", 18)])
        XCTAssertThrowsError(
            try ToolSelection.choose(
                "pg_ctl", requirement: .exactly(17), candidates: found,
                searched: [])
        ) { error in
            let engineError = error as? EngineError
            XCTAssertEqual(
                engineError?.message,
                "'pg_ctl' of PostgreSQL 17 is needed for a PostgreSQL 17 server; found only "
                    + "'/usr/bin/pg_ctl' (PostgreSQL 15), '/usr/lib/postgresql/18/bin/pg_ctl' (PostgreSQL 18)")
            XCTAssertEqual(
                engineError?.hint,
                "set postgres.bin_dir to the bin directory of PostgreSQL 17's server tools "
                    + "(e.g. /usr/lib/postgresql/17/bin)")
        }
    }

    func testNoCandidateIsToolMissingNamingTheDirectories() {
        XCTAssertThrowsError(
            try ToolSelection.choose(
                "pg_dump", requirement: .atLeast(17), candidates: [],
                searched: ["/a", "/b"])
        ) { error in
            guard let error = error as? EngineError, case .toolMissing(let tool, let searched) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(tool, "pg_dump")
            XCTAssertEqual(searched, ["/a", "/b"])
            XCTAssertEqual(error.exitStatus, .usage)
        }
    }

    func testUnknownServerMajorTakesTheFirstCandidate() throws {
        let found = candidates([("/usr/bin/psql", 15), ("/usr/lib/postgresql/18/bin/psql", 18)])
        XCTAssertEqual(
            try ToolSelection.choose("psql", requirement: .any, candidates: found, searched: []),
            "/usr/bin/psql")
    }

    // MARK: version output

    func testMajorFromVersionOutput() {
        XCTAssertEqual(ToolSelection.major(fromVersionOutput: "pg_dump (PostgreSQL) 17.10\n"), 17)
        XCTAssertEqual(ToolSelection.major(fromVersionOutput: "psql (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n"), 15)
        XCTAssertEqual(ToolSelection.major(fromVersionOutput: "initdb (PostgreSQL) 18.6\n"), 18)
        XCTAssertEqual(ToolSelection.major(fromVersionOutput: "pg_ctl (PostgreSQL) 19beta1\n"), 19)
        XCTAssertEqual(ToolSelection.major(fromVersionOutput: "pg_dump (PostgreSQL) 9.6.24\n"), 9)
        XCTAssertNil(ToolSelection.major(fromVersionOutput: "a wrapper that prints nothing useful\n"))
        XCTAssertNil(ToolSelection.major(fromVersionOutput: ""))
    }

    // MARK: PostgresTools on a real directory

    /// A directory of stand-in tools that answer `--version` like PostgreSQL's.
    func fakeBin(_ tools: [String: String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("lb-tools-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        for (tool, version) in tools {
            let path = directory + "/" + tool
            let script = "#!/bin/sh\necho '\(tool) (PostgreSQL) \(version)'\n"
            try script.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        return directory
    }

    func testConfiguredBinDirOfAnOlderMajorIsRefused() throws {
        let bin = try fakeBin(["pg_dump": "15.18", "pg_ctl": "17.10"])
        let tools = PostgresTools(binDir: bin, serverMajor: 17, environment: ["PATH": "/usr/bin:/bin"])
        XCTAssertEqual(try tools.path("pg_ctl"), bin + "/pg_ctl")
        XCTAssertThrowsError(try tools.path("pg_dump")) { error in
            XCTAssertEqual(
                (error as? EngineError)?.message,
                "'pg_dump' of PostgreSQL 17 or newer is needed for a PostgreSQL 17 server; found only "
                    + "'\(bin)/pg_dump' (PostgreSQL 15)")
        }
    }

    func testPathIsSearchedPastAnOlderClient() throws {
        let old = try fakeBin(["pg_restore": "15.18"])
        let new = try fakeBin(["pg_restore": "18.6"])
        let tools = PostgresTools(binDir: nil, serverMajor: 17, environment: ["PATH": "\(old):\(new)"])
        XCTAssertEqual(try tools.path("pg_restore"), new + "/pg_restore")
    }

    func testConfiguredBinDirWithoutTheToolIsToolMissing() throws {
        let bin = try fakeBin([:])
        let tools = PostgresTools(binDir: bin, serverMajor: 17, environment: [:])
        XCTAssertThrowsError(try tools.path("pg_dump")) { error in
            guard case .toolMissing(_, let searched) = error as? EngineError else { return XCTFail("\(error)") }
            XCTAssertEqual(searched, [bin])
        }
    }
}
