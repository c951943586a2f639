// Passwords in postgres.url are accepted but never appear in an error, a description, a dump or JSON.
import XCTest

@testable import Configuration

final class SecretTests: XCTestCase {
    private let password = "S3cr3t-Pa55"

    private func yaml(url: String, extra: String = "") -> String {
        """
        cluster: main
        postgres:
          url: "\(url)"
        repository:
          url: file:///var/backups/lifeboat
        encryption:
          key_file: /k
        \(extra)
        """
    }

    func testPasswordDetection() {
        let withPassword = [
            "postgresql://u:\(password)@h/db", "postgres://u:\(password)@h:5432,h2:5433/db?sslmode=require",
            "host=h password=\(password) dbname=db", "host=h password = '\(password) with space' user=u",
            "postgresql://u@h/db?password=\(password)&sslmode=require", "host=h sslpassword=\(password)",
            "postgresql://u:p@ss/w@rd@h/db", "PASSWORD=\(password)",
        ]
        for url in withPassword {
            XCTAssertTrue(SecretRedactor.containsPassword(url), url)
            XCTAssertTrue(PostgresSettings(url: url).urlHasPassword, url)
        }
        let without = [
            "postgresql://postgres@127.0.0.1:5432/postgres", "postgresql:///postgres", "host=/tmp dbname=x",
            "postgresql://u:@h/db", "host=h passfile=/p/.pgpass", "host=h password=", "postgresql://h/db?user=x",
        ]
        for url in without {
            XCTAssertFalse(SecretRedactor.containsPassword(url), url)
        }
    }

    func testRedactionMasksOnlyThePassword() {
        XCTAssertEqual(SecretRedactor.redact("postgresql://u:\(password)@h:5432/db"), "postgresql://u:***@h:5432/db")
        XCTAssertEqual(SecretRedactor.redact("host=h password='a \\' b' user=u"), "host=h password='***' user=u")
        XCTAssertEqual(
            SecretRedactor.redact("postgresql://u@h/db?password=x&sslmode=require"),
            "postgresql://u@h/db?password=***&sslmode=require")
        XCTAssertEqual(SecretRedactor.redact("postgresql://u:p@ss/w@rd@h/db"), "postgresql://u:***@h/db")
        XCTAssertEqual(SecretRedactor.redact("no secrets here"), "no secrets here")
    }

    func testConfigWithPasswordLoadsAndFlagsIt() throws {
        let config = try Fixture.parse(yaml(url: "postgresql://u:\(password)@h/db"))
        XCTAssertEqual(config.postgres.url, "postgresql://u:\(password)@h/db", "handed to libpq unchanged")
        XCTAssertTrue(config.postgresURLHasPassword)
        XCTAssertEqual(config.postgres.redactedURL, "postgresql://u:***@h/db")
    }

    func testPasswordNeverInDescriptionsDumpOrJSON() throws {
        for url in ["postgresql://u:\(password)@h/db", "host=h password=\(password)"] {
            let config = try Fixture.parse(yaml(url: url))
            var dumped = ""
            dump(config, to: &dumped)
            let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
            for text in [String(describing: config), String(reflecting: config), "\(config.postgres)", dumped, json] {
                XCTAssertFalse(text.contains(password), text)
                XCTAssertTrue(text.contains("***"), text)
            }
        }
    }

    func testPasswordNeverInAnyError() throws {
        let url = "postgresql://admin:\(password)@db.internal:5432/app"
        let broken = [
            yaml(url: url, extra: "compression: { level: high }"),
            yaml(url: url, extra: "bogus: 1"),
            yaml(url: url, extra: "policy: [\"\(url)\"]"),
            yaml(url: url, extra: "policy: \"~\(url)\""),
            yaml(url: url, extra: "backup: { type: \"\(url)\" }"),
            yaml(url: url, extra: "cluster2: x").replacingOccurrences(of: "cluster: main", with: "cluster: \"\(url)\""),
            yaml(url: url).replacingOccurrences(of: "file:///var/backups/lifeboat", with: url),
            yaml(url: url).replacingOccurrences(
                of: "file:///var/backups/lifeboat", with: "s3://AKIA:\(password)@bucket/x"),
            yaml(url: url, extra: "repository2: x").replacingOccurrences(
                of: "  url: file", with: "  endpoint: \"http://k:\(password)@h\"\n  url: file"),
            yaml(url: url, extra: "\"\(url)\": 1"),
            yaml(url: url, extra: "bad: [unclosed"),
            yaml(url: url, extra: "cluster: duplicate"),
            "postgres:\n  url: \"\(url)\"\n",
            "postgres: \"\(url)\"\n",
            "\"\(url)\"\n",
            yaml(url: url).replacingOccurrences(of: "key_file: /k", with: "passphrase_env: \"\(password)\""),
        ]
        for text in broken {
            let error = try XCTUnwrap(Fixture.error(text), text)
            var dumped = ""
            dump(error, to: &dumped)
            for rendered in [error.description, String(reflecting: error), dumped] {
                XCTAssertFalse(rendered.contains(password), rendered)
            }
        }
    }

    func testPasswordNeverInRepositoryURLError() {
        XCTAssertThrowsError(try RepositoryLocation.parse("ftp://u:\(password)@host/x")) { error in
            XCTAssertFalse("\(error)".contains(password), "\(error)")
            XCTAssertTrue("\(error)".contains("ftp://u:***@host/x"), "\(error)")
        }
    }
}
