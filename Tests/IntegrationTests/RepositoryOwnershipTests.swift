// A local repository keeps one owner: PostgreSQL archives into it as its own OS user, and an operator running
// `key rotate` or a backup as root must not leave root-owned 0600 files there that the next `wal push` cannot
// read (archiving would stop until someone notices).
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class RepositoryOwnershipTests: XCTestCase {
    func testRunsAsRootGiveNewFilesToTheRepositoryOwner() throws {
        let env = try TestEnvironment.require()
        guard getuid() == 0 else { throw XCTSkip("only a run as root can create files owned by someone else") }
        let workspace = try Workspace(env, name: "owner")
        try workspace.initialize()
        try chownToPostgres(workspace.directory)
        let postgres = try XCTUnwrap(getpwnam("postgres")).pointee.pw_uid

        XCTAssertEqual(try workspace.lifeboat(["key", "rotate"]).status, 0)
        let metrics = workspace.directory + "/lifeboat.prom"  // the directory belongs to postgres too
        XCTAssertEqual(
            try workspace.lifeboat(["--metrics-file", metrics, "backup", "--database", "postgres"]).status, 0)
        for file in [metrics, metrics + ".lock"] {
            var info = stat()
            XCTAssertEqual(stat(file, &info), 0, file)
            XCTAssertEqual(info.st_uid, postgres, "\(file) must stay writable for wal push as postgres")
        }
        var foreign: [String] = []
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: workspace.repository))  // the repository
        while let path = enumerator.nextObject() as? String {
            var info = stat()
            XCTAssertEqual(lstat(workspace.repository + "/" + path, &info), 0)
            if info.st_uid != postgres { foreign.append(path) }
        }
        XCTAssertEqual(foreign, [], "files in the postgres-owned repository that postgres does not own")
        // And the server's OS user can still use the repository: list as postgres.
        let listed = try shellStatus("runuser -u postgres -- '\(env.binary)' --config '\(workspace.configPath)' list")
        XCTAssertEqual(listed, 0)
    }
}
