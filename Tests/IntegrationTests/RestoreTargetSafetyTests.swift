// A physical restore run as root writes into directories the server's OS user (postgres) is given, and that user
// may race it: swap the data directory, or a directory inside it, for a link to somewhere else, also from a
// working directory it already holds inside. Through the built binary against a real snapshot, as root: a
// directory outside every target (root's, with a file in it) must end exactly as it was — no entry added or
// removed, no mode or owner changed — whether the link is there before the restore or appears during it.
import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class RestoreTargetSafetyTests: XCTestCase {
    var env: TestEnvironment!

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
        try XCTSkipUnless(getuid() == 0, "the race needs root running lifeboat and the postgres OS user racing it")
    }

    /// The data directory given is a link (refused, also with --clean, whose deletions must not follow it), or sits
    /// below a link in a directory the OS user can write (refused: that user could have put it there).
    func testLinkedDataDirectoryIsRefused() throws {
        let scenario = try archivingScenario(env, name: "rxlink")
        let workspace = scenario.workspace
        let outside = try OutsideDirectory(env)
        let linked = workspace.directory + "/data"
        try FileManager.default.createSymbolicLink(atPath: linked, withDestinationPath: outside.path)
        for extra in [[], ["--clean"], ["--dry-run"]] {
            let refused = try workspace.lifeboat(["restore", "latest", "--data-dir", linked] + extra)
            XCTAssertEqual(refused.status, 1, "\(extra): \(refused.output)")
            XCTAssertTrue(
                refused.stderr.contains("cannot use data directory '\(linked)'")
                    && refused.stderr.contains("is a symbolic link"),
                refused.stderr)
        }
        // The workspace belongs to postgres: a link there is not followed on the way either.
        let via = workspace.directory + "/via"
        try FileManager.default.createSymbolicLink(atPath: via, withDestinationPath: outside.path)
        let below = try workspace.lifeboat(["restore", "latest", "--data-dir", via + "/data"])
        XCTAssertEqual(below.status, 1, below.output)
        XCTAssertTrue(
            below.stderr.contains("'\(via)' is a symbolic link in a directory that other users can write"),
            below.stderr)
        try outside.assertUnchanged()
    }

    /// Links left inside a data directory restored with --clean are removed, never followed.
    func testCleanRestoreRemovesLinksInsideWithoutFollowingThem() throws {
        let scenario = try archivingScenario(env, name: "rxclean")
        let workspace = scenario.workspace
        let outside = try OutsideDirectory(env)
        let directory = workspace.directory + "/data"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        try chownToPostgres(directory)
        try FileManager.default.createSymbolicLink(atPath: directory + "/base", withDestinationPath: outside.path)
        try FileManager.default.createSymbolicLink(
            atPath: directory + "/global", withDestinationPath: outside.path + "/sub")
        try FileManager.default.createSymbolicLink(
            atPath: directory + "/PG_VERSION", withDestinationPath: outside.path + "/keep")

        let refused = try workspace.lifeboat(["restore", "latest", "--data-dir", directory])
        XCTAssertEqual(refused.status, 1, refused.output)
        XCTAssertTrue(refused.stderr.contains("is not empty"), refused.stderr)
        let restored = try workspace.lifeboat(["restore", "latest", "--data-dir", directory, "--clean"])
        XCTAssertEqual(restored.status, 0, restored.output)
        try outside.assertUnchanged()
        for (path, type) in [
            ("", FileAttributeType.typeDirectory), ("/base", .typeDirectory), ("/global/pg_control", .typeRegular),
            ("/PG_VERSION", .typeRegular),
        ] {
            let attributes = try FileManager.default.attributesOfItem(atPath: directory + path)
            XCTAssertEqual(attributes[.type] as? FileAttributeType, type, path)
            XCTAssertEqual(attributes[.ownerAccountName] as? String, "postgres", path)
        }
    }

    /// A process of the OS user that sits in the (empty, postgres-owned) data directory before the restore starts
    /// swaps every directory it can see inside for a link to the outside directory, and the data directory itself
    /// once extraction has begun. The restore shuts it out before writing, keeps writing through its descriptors
    /// into the directory it opened, and hands the finished tree to postgres.
    func testOSUserRacingTheExtractionCannotRedirectIt() throws {
        let scenario = try archivingScenario(env, name: "rxrace")
        let workspace = scenario.workspace
        let outside = try OutsideDirectory(env)
        let directory = workspace.directory + "/data"
        let moved = directory + ".moved"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        try chownToPostgres(directory)
        XCTAssertEqual(chmod(directory, 0o700), 0)
        defer { unlink(directory) }  // the link the racer leaves, before the workspace is deleted

        let racer = try Racer(directory: directory, outside: outside.path, control: workspace.directory + "/racer")
        let restore = try workspace.lifeboat(["restore", "latest", "--data-dir", directory])
        let report = try racer.stop()
        XCTAssertTrue(
            report.contains("swapped the data directory"), "the racer never got to swap the data directory: \(report)")

        try outside.assertUnchanged()
        XCTAssertEqual(restore.status, 0, restore.output)
        // The tree lifeboat opened is the one the racer moved aside; everything in it is postgres's now.
        let attributes = try FileManager.default.attributesOfItem(atPath: moved)
        XCTAssertEqual(attributes[.type] as? FileAttributeType, .typeDirectory)
        XCTAssertEqual(attributes[.ownerAccountName] as? String, "postgres")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)
        for name in ["PG_VERSION", "backup_label", "recovery.signal", "postgresql.auto.conf"] {
            XCTAssertEqual(
                try FileManager.default.attributesOfItem(atPath: moved + "/" + name)[.type] as? FileAttributeType,
                .typeRegular, name)
        }
        let rootOwned = try OutsideDirectory.tree(moved).filter { $0.value.owner == 0 }.keys.sorted()
        XCTAssertEqual(rootOwned, [], "entries left owned by root")
    }
}

/// A root-owned directory outside every restore target, with a file and a subdirectory; remembers how its tree
/// looked so a test can prove nothing in it changed.
struct OutsideDirectory {
    struct Entry: Equatable {
        var mode: mode_t, owner: uid_t, group: gid_t, size: Int, modified: Int
    }

    let path: String
    let before: [String: Entry]

    init(_ env: TestEnvironment) throws {
        path = env.scratch + "/outside-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path + "/sub", withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: path + "/keep", contents: Data("keep".utf8)))
        XCTAssertEqual(chmod(path, 0o755), 0)
        before = try Self.tree(path)
    }

    func assertUnchanged(file: StaticString = #filePath, line: UInt = #line) throws {
        let after = try Self.tree(path)
        let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
        XCTAssertEqual(
            changed.count, 0,
            "the directory outside the restore target changed: \(changed.prefix(10)) "
                + "(\(changed.count) entries)", file: file, line: line)
    }

    /// Every entry below `root` (and root itself as ""), by lstat: links are not followed.
    static func tree(_ root: String) throws -> [String: Entry] {
        var result: [String: Entry] = [:]
        var pending = [""]
        while let relative = pending.popLast() {
            var info = stat()
            guard lstat(root + relative, &info) == 0 else { throw XCTSkip("lstat \(root + relative) failed") }
            result[relative] = Entry(
                mode: info.st_mode, owner: info.st_uid, group: info.st_gid, size: Int(info.st_size),
                modified: Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec))
            if info.st_mode & S_IFMT == S_IFDIR {
                pending += try FileManager.default.contentsOfDirectory(atPath: root + relative).map {
                    relative + "/" + $0
                }
            }
        }
        return result
    }
}

/// A bash loop run as the postgres OS user from inside `directory`: as soon as the directory is no longer empty
/// (or no longer readable to it) it swaps the directory itself for a link to `outside`, and it keeps replacing every
/// directory it can see inside with such a link (through its working directory, so shutting it out takes more
/// than the path). It stops when `stop()` creates its stop file, or after two minutes.
final class Racer {
    let process = Process()
    let output = Pipe()
    let control: String

    init(directory: String, outside: String, control: String) throws {
        self.control = control
        let script = #"""
            dir=$1 out=$2 control=$3 swapped=
            cd "$dir" || exit 1
            : > "$control.ready"
            end=$((SECONDS + 120))
            while [ ! -e "$control.stop" ] && [ "$SECONDS" -lt "$end" ]; do
                if [ -z "$swapped" ] && [ -n "$(ls -A . 2>&1)" ] && mv "$dir" "$dir.moved" && ln -s "$out" "$dir"; then
                    swapped=1
                    echo "swapped the data directory"
                fi
                for d in */; do
                    d=${d%/}
                    if [ -d "$d" ] && [ ! -L "$d" ] && mv "$d" ".$d.moved" 2>/dev/null && ln -s "$out" "$d" 2>/dev/null; then
                        echo "swapped $d"
                    fi
                done
                [ -z "$swapped" ] || sleep 0.005   # the race that matters has been run: spare the CPU
            done
            """#
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        process.arguments = ["-u", "postgres", "--", "/bin/bash", "-c", script, "racer", directory, outside, control]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: control + ".ready") {
            guard process.isRunning, Date() < deadline else {
                XCTFail(
                    "the racer did not start: \(String(decoding: output.fileHandleForReading.availableData, as: UTF8.self))"
                )
                throw XCTSkip("cannot continue")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    deinit { if process.isRunning { process.terminate() } }

    /// Stops the loop and returns what it did, one line per swap.
    func stop() throws -> String {
        XCTAssertTrue(FileManager.default.createFile(atPath: control + ".stop", contents: nil))
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text
    }
}
