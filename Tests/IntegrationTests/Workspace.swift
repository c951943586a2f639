// Workspace: a temporary directory holding a key file, a lifeboat.yml and a file:// repository, and the policy
// and drill files a test writes next to them.
import Foundation
import TestSupport
import XCTest

final class Workspace {
    let env: TestEnvironment
    let directory: String
    let keyFile: String
    let repository: String
    let configPath: String

    init(_ env: TestEnvironment, name: String = "ws") throws {
        self.env = env
        directory = env.scratch + "/\(name)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        keyFile = directory + "/repo.key"
        repository = directory + "/repository"
        configPath = directory + "/lifeboat.yml"
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Writes lifeboat.yml. `encryption` is the YAML body of the encryption section.
    /// `postgres` adds lines to the `postgres:` section (e.g. `standby_url: …`).
    func writeConfig(
        database: String = "postgres", encryption: String? = nil, postgresURL: String? = nil,
        extra: String = "", postgres: [String] = []
    ) throws {
        let yaml = """
            cluster: main
            postgres:
              url: "\(postgresURL ?? env.url(database: database))"
            \(postgres.map { "  " + $0 + "\n" }.joined())repository:
              url: "file://\(repository)"
            encryption:
            \(encryption ?? "  key_file: \(keyFile)")
            compression: { algorithm: zstd, level: 3 }
            \(extra)
            """
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Writes `yaml` as the policy file `name` in the workspace and points lifeboat.yml (rewritten for `database`)
    /// at it.
    func writePolicy(_ yaml: String, name: String = "retention.yml", database: String = "postgres") throws {
        try yaml.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        try writeConfig(database: database, extra: "policy: \(name)")
    }

    /// Writes a drill definition named `name` (its first line) to `<file>.yml` in the workspace; returns its path.
    func writeDrill(_ name: String, file: String? = nil, _ body: String) throws -> String {
        let path = directory + "/\(file ?? name).yml"
        try ("name: \(name)\n" + body).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @discardableResult
    func lifeboat(_ arguments: [String], environment: [String: String] = [:]) throws -> RunResult {
        try runLifeboat(env, ["--config", configPath, "--no-progress"] + arguments, environment: environment)
    }

    /// `key generate` into the workspace's key file, asserting that it succeeds.
    func generateKey(file: StaticString = #filePath, line: UInt = #line) throws {
        let generated = try runLifeboat(env, ["key", "generate", "--output", keyFile])
        XCTAssertEqual(generated.status, 0, generated.output, file: file, line: line)
    }

    /// key generate + config + init, asserting each step.
    func initialize(database: String = "postgres", file: StaticString = #filePath, line: UInt = #line) throws {
        try generateKey(file: file, line: line)
        try writeConfig(database: database)
        let created = try lifeboat(["init"])
        XCTAssertEqual(created.status, 0, created.output, file: file, line: line)
    }

    /// Every regular file under the repository, relative path → contents.
    func repositoryFiles() throws -> [String: Data] {
        FileTree.contents(below: repository)
    }

    func backupObjects() throws -> [String] {
        try repositoryFiles().keys.filter { $0.hasPrefix("backups/") && !$0.hasSuffix("manifest.lbx") }.sorted()
    }

    func json(_ result: RunResult) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw NSError(
                domain: "test", code: 1, userInfo: [NSLocalizedDescriptionKey: "not a JSON object: \(result.stdout)"])
        }
        return object
    }
}

extension XCTestCase {
    /// A sample database of `rows` rows, dropped when the test ends, and a workspace initialised to back it up
    /// (both named after `name`), its policy `policy` when given: the set-up of the logical backup tests.
    func sampleWorkspace(
        _ env: TestEnvironment, name: String, rows: Int, policy: String? = nil, file: StaticString = #filePath,
        line: UInt = #line
    ) throws -> (workspace: Workspace, database: String) {
        let database = TestEnvironment.uniqueName(name)
        addTeardownBlock { SampleDatabase.drop(env, database) }
        try SampleDatabase.create(env, name: database, rows: rows)
        let workspace = try Workspace(env, name: name)
        try workspace.initialize(database: database, file: file, line: line)
        if let policy { try workspace.writePolicy(policy, database: database) }
        return (workspace, database)
    }
}
