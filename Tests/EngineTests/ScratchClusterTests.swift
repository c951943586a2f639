import Foundation
import XCTest

// ScratchClusterTests: the drill's scratch directory is private (0700) and the OS user's, and root sets modes and
// owners through descriptors: a name planted in it never redirects them. Nothing here starts PostgreSQL.
@testable import Engine

final class ScratchClusterTests: XCTestCase {
    let tools = PostgresTools(binDir: "/nonexistent", serverMajor: nil, environment: [:])

    func mode(_ path: String) throws -> Int {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    func testTheScratchDirectoryIsPrivateAndRemovedAgain() throws {
        let cluster = try ScratchCluster(osUser: nil, tools: tools, environment: [:])
        XCTAssertEqual(try mode(cluster.directory), 0o700)
        XCTAssertGreaterThan(cluster.port, 0)
        cluster.remove()
        XCTAssertFalse(FileManager.default.fileExists(atPath: cluster.directory))
    }

    func testALinkPlantedAsTheDataDirectoryIsNeverFollowed() throws {
        let cluster = try ScratchCluster(osUser: nil, tools: tools, environment: [:])
        defer { cluster.remove() }
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent("elsewhere-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: elsewhere, withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        try FileManager.default.createSymbolicLink(atPath: cluster.dataDirectory, withDestinationPath: elsewhere.path)
        XCTAssertThrowsError(try cluster.initialize(superuser: "postgres")) { error in
            guard case DrillError.scratch(let detail)? = error as? DrillError else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains(cluster.dataDirectory), detail)
        }
        XCTAssertEqual(try mode(elsewhere.path), 0o755, "the link's target keeps its mode")
    }

    func testTheOSUserOwnsTheScratchDirectory() throws {
        guard geteuid() == 0, let entry = getpwnam("postgres") else {
            throw XCTSkip("needs root and a 'postgres' OS user")
        }
        let cluster = try ScratchCluster(osUser: "postgres", tools: tools, environment: [:])
        defer { cluster.remove() }
        let owner = try FileManager.default.attributesOfItem(atPath: cluster.directory)[.ownerAccountID] as? Int
        XCTAssertEqual(owner, Int(entry.pointee.pw_uid))
        XCTAssertEqual(try mode(cluster.directory), 0o700)
    }

    func testAMissingOSUserIsNamed() {
        XCTAssertThrowsError(try ScratchCluster(osUser: "no-such-lifeboat-user", tools: tools, environment: [:])) {
            XCTAssertEqual(
                ($0 as? DrillError)?.message,
                "the drill's scratch server failed: OS user 'no-such-lifeboat-user' (postgres.os_user) "
                    + "does not exist")
        }
    }
}
