// ArchivingScenario: the one way a test makes the scratch PostgreSQL archive into a workspace. It creates the
// workspace and its repository, hands it to the postgres OS user (who runs archive_command), points
// archive_command at the built binary's `wal push`, creates the test's table and takes a first snapshot.
// Dropping the table and resetting archive_command run as a teardown block, which also keeps the workspace
// alive until then. ArchivingOptions holds what a test changes in that recipe.
import Foundation
import PGClient
import TestSupport
import XCTest

struct ArchivingScenario {
    let workspace: Workspace
    let admin: PGConnection
    /// The test's table (dropped at teardown), created from `ArchivingOptions.table` unless that is nil.
    let table: String
    /// archive_command pushing into the workspace's repository, as the server runs it.
    let archiveCommand: String
    /// The first snapshot (`backup --type snapshot --json`), nil when the options take none.
    let snapshot: RunResult?

    var env: TestEnvironment { workspace.env }

    /// The id the first snapshot reported.
    func snapshotID(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let snapshot = try XCTUnwrap(snapshot, "the scenario took no snapshot", file: file, line: line)
        return try XCTUnwrap(try workspace.json(snapshot)["id"] as? String, snapshot.stdout, file: file, line: line)
    }

    /// Switches the server to a new WAL segment and returns the name of the one it completed.
    func switchWAL(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let name = try admin.query("SELECT pg_walfile_name(pg_switch_wal())").rows.first?[0] ?? nil
        return try XCTUnwrap(name, file: file, line: line)
    }

    /// Batch A (ids 1-100), a recorded time T, batch B (ids 101-200), 1.5 s apart so that T falls clearly between
    /// the two commits; returns T (UTC, ISO 8601 with milliseconds) for `restore --to-time`.
    func insertBatchesAroundATargetTime(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try admin.execute("INSERT INTO \(table) SELECT i, 'A' FROM generate_series(1, 100) AS i")
        Thread.sleep(forTimeInterval: 1.5)
        let now = "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
        let target = try XCTUnwrap(admin.query(now).rows.first?[0] ?? nil, file: file, line: line)
        Thread.sleep(forTimeInterval: 1.5)
        try admin.execute("INSERT INTO \(table) SELECT i, 'B' FROM generate_series(101, 200) AS i")
        return target
    }

    /// Points archive_command at the workspace's repository (for a scenario that started with archiving off).
    func startArchiving() throws {
        try admin.execute("ALTER SYSTEM SET archive_command = \(try admin.quoteLiteral(archiveCommand))")
        try admin.execute("SELECT pg_reload_conf()")
    }

    /// Stops archiving into the workspace ('/bin/true' archives and forgets), e.g. to freeze its repository.
    func stopArchiving() throws { try env.resetArchiveCommand() }
}

/// What a test changes in the standard archiving scenario; every default is the common case.
struct ArchivingOptions {
    /// The test table's definition after its name; nil creates no table (the test may create `table` itself).
    var table: String? = "(id integer PRIMARY KEY, batch text)"
    /// Creates the repository and lifeboat.yml, before the workspace is handed to the postgres OS user.
    var prepare: (Workspace) throws -> Void = { try $0.initialize() }
    /// Variables archive_command sets for itself (the server's environment is not the test's).
    var archiveEnvironment: (Workspace) -> [String: String] = { _ in [:] }
    /// Whether archive_command pushes into the workspace from the start; when false it fails ('/bin/false')
    /// until `startArchiving()`, so segments pile up as `.ready` files.
    var archiving = true
    /// Whether the scenario takes the first snapshot; false leaves it to the test.
    var snapshot = true
    /// Environment of the first snapshot's run (credentials of an s3:// repository).
    var environment: [String: String] = [:]

    /// Archiving into the workspace and nothing more: no table, no first snapshot.
    static var archivingOnly: ArchivingOptions { ArchivingOptions(table: nil, snapshot: false) }
}

extension XCTestCase {
    func archivingScenario(
        _ env: TestEnvironment, name: String, _ options: ArchivingOptions = ArchivingOptions(),
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> ArchivingScenario {
        let workspace = try Workspace(env, name: name)
        try options.prepare(workspace)
        try chownToPostgres(workspace.directory)
        let admin = try env.admin()
        let table = TestEnvironment.uniqueName(name)
        addTeardownBlock {
            try? admin.execute("DROP TABLE IF EXISTS \(table)")
            try? env.resetArchiveCommand()
            admin.close()
            withExtendedLifetime(workspace) {}
        }
        let assignments = options.archiveEnvironment(workspace).sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value) " }
        let archiveCommand =
            assignments.joined()
            + "\(env.binary) --config \(workspace.configPath) --no-progress wal push %p"
        try setArchiveCommand(admin, options.archiving ? archiveCommand : "/bin/false")
        if let definition = options.table {
            try admin.execute("CREATE TABLE \(table) \(definition)")
        }
        var snapshot: RunResult?
        if options.snapshot {
            let result = try workspace.lifeboat(
                ["backup", "--type", "snapshot", "--json"],
                environment: options.environment)
            XCTAssertEqual(result.status, 0, result.output, file: file, line: line)
            snapshot = result
        }
        return ArchivingScenario(
            workspace: workspace, admin: admin, table: table, archiveCommand: archiveCommand,
            snapshot: snapshot)
    }
}
