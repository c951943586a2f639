// KeyedWorkspace: a workspace whose repository several credentials open, each with its own lifeboat.yml
// (same repository and database), for tests of key changes: who opens the repository after each step.
import Foundation
import TestSupport
import XCTest

/// Configurations are only added during set-up; concurrent runs only read them, hence `@unchecked Sendable`.
final class KeyedWorkspace: @unchecked Sendable {
    let workspace: Workspace
    let database: String
    /// Credential name → its lifeboat.yml. "initial" is the workspace's own configuration (its key file).
    private(set) var configs: [String: String] = [:]

    /// Creates the repository with the workspace's key file, as slot "initial", and takes no backup.
    init(_ env: TestEnvironment, name: String, database: String) throws {
        workspace = try Workspace(env, name: name)
        self.database = database
        try workspace.initialize(database: database)
        configs["initial"] = workspace.configPath
    }

    var env: TestEnvironment { workspace.env }

    /// A new key file `name`.key and a configuration that unlocks with it; no slot is added.
    @discardableResult
    func keyFile(_ name: String) throws -> String {
        let path = workspace.directory + "/\(name).key"
        let generated = try runLifeboat(env, ["key", "generate", "--output", path])
        XCTAssertEqual(generated.status, 0, generated.output)
        try writeConfig(name, encryption: "  key_file: \(path)")
        return path
    }

    /// A configuration that unlocks with the passphrase in environment variable `variable`.
    func passphrase(_ name: String, variable: String) throws {
        try writeConfig(name, encryption: "  passphrase_env: \(variable)")
    }

    private func writeConfig(_ name: String, encryption: String) throws {
        let path = workspace.directory + "/lifeboat-\(name).yml"
        let yaml = """
            cluster: main
            postgres:
              url: "\(env.url(database: database))"
            repository:
              url: "file://\(workspace.repository)"
            encryption:
            \(encryption)
            compression: { algorithm: zstd, level: 3 }

            """
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        configs[name] = path
    }

    /// Runs lifeboat with credential `name`'s configuration.
    @discardableResult
    func lifeboat(as name: String = "initial", _ arguments: [String], environment: [String: String] = [:]) throws
        -> RunResult
    {
        let config = try XCTUnwrap(configs[name], "no configuration for credential '\(name)'")
        return try runLifeboat(env, ["--config", config, "--no-progress"] + arguments, environment: environment)
    }

    /// `key list --json` as seen with credential `name`.
    func keyListing(as name: String = "initial", environment: [String: String] = [:]) throws -> [String: Any] {
        let listed = try lifeboat(as: name, ["key", "list", "--json"], environment: environment)
        XCTAssertEqual(listed.status, 0, listed.output)
        return try workspace.json(listed)
    }

    func slotIds(as name: String = "initial", environment: [String: String] = [:]) throws -> [String] {
        ((try keyListing(as: name, environment: environment)["slots"] as? [[String: Any]]) ?? []).compactMap {
            $0["id"] as? String
        }
    }

    func dataKeyCount(environment: [String: String] = [:]) throws -> Int {
        ((try keyListing(environment: environment)["data_keys"] as? [String]) ?? []).count
    }

    /// The slot objects actually stored under keys/, live or stale.
    func storedSlotFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: workspace.repository + "/keys").filter {
            $0.hasPrefix("slot-")
        }.sorted()
    }

    /// Takes a logical backup with the initial credential and returns its id.
    @discardableResult
    func backup(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let result = try lifeboat(["backup", "--json"])
        XCTAssertEqual(result.status, 0, result.output, file: file, line: line)
        return try XCTUnwrap(try workspace.json(result)["id"] as? String, result.stdout, file: file, line: line)
    }
}
