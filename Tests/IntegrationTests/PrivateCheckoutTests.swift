// Lifeboat run from a directory the server's OS user cannot enter (a checkout under /root, a 0700 home,
// `mktemp -d`): a restore whose restore_command would fail with "Permission denied" for every segment is
// refused in its plan, within seconds, naming the directory and what to do. scripts/test.sh runs the whole suite
// with the checkout out of the server user's reach, as from such a clone.
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class PrivateCheckoutTests: XCTestCase {
    func testRestoreRefusesABinaryTheServerUserCannotRun() throws {
        let env = try TestEnvironment.require()
        guard getuid() == 0 else {
            throw XCTSkip("the server's OS user differs from the invoking user only when run as root")
        }
        let scenario = try archivingScenario(env, name: "private")
        let workspace = scenario.workspace

        // A private directory, as `mktemp -d` makes it, holding a copy of the binary.
        let privateDirectory = try XCTUnwrap(
            mkdtemp(strdup(env.scratch + "/private-XXXXXX")).map { String(cString: $0) })
        defer { try? FileManager.default.removeItem(atPath: privateDirectory) }
        XCTAssertEqual(
            try FileManager.default.attributesOfItem(atPath: privateDirectory)[.posixPermissions] as? Int, 0o700)
        let copy = privateDirectory + "/lifeboat"
        try FileManager.default.copyItem(atPath: env.binary, toPath: copy)

        let started = Date()
        let target = workspace.directory + "/restored"
        let refused = try runLifeboat(
            env,
            [
                "--config", workspace.configPath, "--no-progress", "restore", "latest",
                "--data-dir", target, "--dry-run",
            ], executable: copy)
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.stderr.contains("OS user 'postgres' cannot reach '\(copy)'"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("'\(privateDirectory)' denies it"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("HINT: install lifeboat"), refused.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertFalse(FileManager.default.fileExists(atPath: target), "a refused plan touched the data directory")

        // A system directory is never a data directory, not even with --clean (it would be emptied).
        for system in ["/", "//", "/var/lib/", "/etc"] {
            let refusedSystem = try workspace.lifeboat([
                "restore", "latest", "--data-dir", system, "--clean", "--dry-run",
            ])
            XCTAssertEqual(refusedSystem.status, 1, refusedSystem.output)
            XCTAssertTrue(refusedSystem.stderr.contains("system directory"), refusedSystem.stderr)
        }

        // The same restore from a binary the server user can run is planned.
        let planned = try workspace.lifeboat(["restore", "latest", "--data-dir", target, "--dry-run"])
        XCTAssertEqual(planned.status, 0, planned.output)
    }
}
