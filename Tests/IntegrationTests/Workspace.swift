// Workspace: a temporary directory holding a key file, a lifeboat.yml and a file:// repository.
import Foundation
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
    func writeConfig(database: String = "postgres", encryption: String? = nil, postgresURL: String? = nil,
                     extra: String = "") throws {
        let yaml = """
            cluster: main
            postgres:
              url: "\(postgresURL ?? env.url(database: database))"
            repository:
              url: "file://\(repository)"
            encryption:
            \(encryption ?? "  key_file: \(keyFile)")
            compression: { algorithm: zstd, level: 3 }
            \(extra)
            """
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    @discardableResult
    func lifeboat(_ arguments: [String], environment: [String: String] = [:]) throws -> RunResult {
        try runLifeboat(env, ["--config", configPath, "--no-progress"] + arguments, environment: environment)
    }

    /// key generate + config + init, asserting each step.
    func initialize(database: String = "postgres", file: StaticString = #filePath, line: UInt = #line) throws {
        let generated = try runLifeboat(env, ["key", "generate", "--output", keyFile])
        XCTAssertEqual(generated.status, 0, generated.output, file: file, line: line)
        try writeConfig(database: database)
        let created = try lifeboat(["init"])
        XCTAssertEqual(created.status, 0, created.output, file: file, line: line)
    }

    /// Every regular file under the repository, relative path → contents.
    func repositoryFiles() throws -> [String: Data] {
        var result: [String: Data] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: repository) else { return result }
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = repository + "/" + path
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[path] = FileManager.default.contents(atPath: full)
            }
        }
        return result
    }

    func backupObjects() throws -> [String] {
        try repositoryFiles().keys.filter { $0.hasPrefix("backups/") && !$0.hasSuffix("manifest.lbx") }.sorted()
    }

    func json(_ result: RunResult) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw NSError(domain: "test", code: 1, userInfo: [NSLocalizedDescriptionKey: "not a JSON object: \(result.stdout)"])
        }
        return object
    }
}
