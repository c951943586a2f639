// Shared fixtures for the configuration tests: the documented example file and error capture helpers.
import TestSupport
import XCTest

@testable import Configuration

enum Fixture {
    static let path = "/etc/lifeboat/lifeboat.yml"

    /// A complete lifeboat.yml with the comments an operator writes (README "Configuration" shows these settings).
    static let example = """
        cluster: main                         # name of this cluster inside the repository
        postgres:
          url: "postgresql://postgres@127.0.0.1:5432/postgres"   # password via PGPASSWORD / .pgpass, never in argv
          bin_dir: /usr/lib/postgresql/15/bin # optional; else PATH / pg_config
          os_user: postgres                   # servers are started as this user when lifeboat runs as root
        repository:
          url: "file:///var/backups/lifeboat" # or s3://bucket/prefix
          endpoint: "http://127.0.0.1:9000"   # S3-compatible endpoint (AWS default when absent)
          region: us-east-1
          addressing: path                    # path | virtual
        encryption:
          key_file: /etc/lifeboat/repo.key    # or passphrase_env: LIFEBOAT_PASSPHRASE
        compression: { algorithm: zstd, level: 3 }
        policy: policies/production.yml

        """

    /// The smallest valid file.
    static let minimal = """
        cluster: main
        postgres:
          url: postgresql://postgres@127.0.0.1/postgres
        repository:
          url: file:///var/backups/lifeboat
        encryption:
          passphrase_env: LIFEBOAT_PASSPHRASE

        """

    static func parse(_ yaml: String, path: String = Fixture.path) throws -> LifeboatConfig {
        try ConfigLoader.parse(yaml: yaml, sourcePath: path)
    }

    /// The ConfigError parsing `yaml` throws; fails the test when it parses or throws something else.
    static func error(
        _ yaml: String, path: String = Fixture.path,
        file: StaticString = #filePath, line: UInt = #line
    ) -> ConfigError? {
        do {
            _ = try parse(yaml, path: path)
            XCTFail("expected a configuration error", file: file, line: line)
        } catch let error as ConfigError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    /// A fresh temporary directory, removed when the test ends, spelled as the loader normalises paths.
    static func temporaryDirectory(_ testCase: XCTestCase) throws -> String {
        PathResolver.normalize(try testCase.temporaryDirectory(prefix: "lifeboat-config"))
    }
}

extension XCTestCase {
    /// The message (with its hint) of the ConfigError `body` throws, or "" after failing the test: every
    /// configuration, policy and drill file error must be a usage error (exit 2).
    func configErrorMessage(file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> String {
        do {
            try body()
            XCTFail("expected a configuration error", file: file, line: line)
        } catch let error as ConfigError {
            XCTAssertEqual(error.exitStatus, .usage, file: file, line: line)
            return error.message + "\nHINT: " + (error.hint ?? "")
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return ""
    }
}
