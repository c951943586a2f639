// Every kind of configuration mistake: the error names the key path, the file, the line and what is accepted,
// carries a hint, and maps to exit status 2.
import Diagnostics
import XCTest

@testable import Configuration

final class ConfigErrorTests: XCTestCase {
    private func replacing(_ old: String, with new: String, in yaml: String = Fixture.example) -> String {
        precondition(yaml.contains(old), "fixture does not contain \(old)")
        return yaml.replacingOccurrences(of: old, with: new)
    }

    func testUnknownKeyNamesPathLineAndAcceptedKeys() throws {
        let yaml = replacing("  endpoint:", with: "  endpiont:")
        let error = try XCTUnwrap(Fixture.error(yaml))
        guard case .unknownKey(let key, let at, let accepted) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(key, "repository.endpiont")
        XCTAssertEqual(at, SourceLocation(file: Fixture.path, line: 8))
        XCTAssertEqual(accepted, RepositorySettings.keys)
        XCTAssertTrue(error.message.contains("'/etc/lifeboat/lifeboat.yml' line 8"), error.message)
        XCTAssertTrue(error.message.contains("'endpoint', 'region', 'addressing'"), error.message)
        XCTAssertEqual(error.hint, "did you mean 'endpoint'? otherwise remove the key (see README 'Configuration')")
        XCTAssertEqual(error.exitStatus, .usage)
    }

    func testUnknownKeyOnLineSeven() throws {
        let error = try XCTUnwrap(Fixture.error(replacing("  url: \"file://", with: "  uri: \"file://")))
        XCTAssertEqual(
            error,
            .unknownKey(
                key: "repository.uri", at: SourceLocation(file: Fixture.path, line: 7),
                accepted: RepositorySettings.keys))
        XCTAssertTrue(error.description.contains("line 7"))
        XCTAssertTrue(error.description.contains("HINT: did you mean 'url'?"), error.description)
    }

    func testUnknownTopLevelKeyWithoutCloseMatch() throws {
        let error = try XCTUnwrap(Fixture.error(Fixture.minimal + "retention: 7d\n"))
        XCTAssertEqual(
            error,
            .unknownKey(
                key: "retention", at: SourceLocation(file: Fixture.path, line: 8),
                accepted: ConfigLoader.topLevelKeys))
        XCTAssertEqual(
            error.hint, "remove the key or move it to the section it belongs to (see README 'Configuration')")
    }

    func testUnknownKeyInsideFlowMapping() throws {
        let error = try XCTUnwrap(Fixture.error(replacing("level: 3 }", with: "levle: 3 }")))
        XCTAssertEqual(
            error,
            .unknownKey(
                key: "compression.levle", at: SourceLocation(file: Fixture.path, line: 13),
                accepted: ["algorithm", "level"]))
        XCTAssertTrue(error.hint?.contains("did you mean 'level'") ?? false)
    }

    func testWrongTypeLevelHigh() throws {
        let error = try XCTUnwrap(Fixture.error(replacing("level: 3 }", with: "level: high }")))
        XCTAssertEqual(
            error,
            .wrongType(
                key: "compression.level", at: SourceLocation(file: Fixture.path, line: 13),
                expected: "an integer", found: "a string"))
        XCTAssertEqual(
            error.message,
            "'compression.level' in '/etc/lifeboat/lifeboat.yml' line 13 must be an integer, found a string")
        XCTAssertNotNil(error.hint)
    }

    func testWrongTypeSectionIsAScalar() throws {
        let yaml = """
            cluster: main
            postgres: 3
            """
        XCTAssertEqual(
            Fixture.error(yaml),
            .wrongType(
                key: "postgres", at: SourceLocation(file: Fixture.path, line: 2),
                expected: "a mapping", found: "an integer"))
    }

    func testWrongTypeForBooleanListAndString() throws {
        let bool = replacing("  region: us-east-1", with: "  region: us-east-1\n  insecure_skip_tls_verify: maybe")
        XCTAssertEqual(
            Fixture.error(bool),
            .wrongType(
                key: "repository.insecure_skip_tls_verify",
                at: SourceLocation(file: Fixture.path, line: 10),
                expected: "a boolean (true or false)", found: "a string"))
        let list = Fixture.minimal + "backup:\n  databases: app\n"
        XCTAssertEqual(
            Fixture.error(list),
            .wrongType(
                key: "backup.databases", at: SourceLocation(file: Fixture.path, line: 9),
                expected: "a list of database names", found: "a string"))
        let string = replacing("cluster: main ", with: "cluster: [main] ")
        XCTAssertEqual(
            Fixture.error(string),
            .wrongType(
                key: "cluster", at: SourceLocation(file: Fixture.path, line: 1),
                expected: "a string", found: "a list"))
    }

    func testWrongTypeOfListItemNamesItsLine() throws {
        let yaml = Fixture.minimal + "backup:\n  databases:\n    - app\n    - { name: x }\n"
        XCTAssertEqual(
            Fixture.error(yaml),
            .wrongType(
                key: "backup.databases", at: SourceLocation(file: Fixture.path, line: 11),
                expected: "a list of database names", found: "a mapping in the list"))
    }

    func testTopLevelMustBeAMapping() throws {
        XCTAssertEqual(
            Fixture.error("- cluster\n"),
            .wrongType(
                key: "(top level)", at: SourceLocation(file: Fixture.path, line: 1),
                expected: "a mapping of settings such as 'cluster: main'",
                found: "a list"))
    }

    func testInvalidCompressionValues() throws {
        let algorithm = try XCTUnwrap(Fixture.error(replacing("algorithm: zstd", with: "algorithm: gzip")))
        XCTAssertEqual(
            algorithm,
            .invalidValue(
                key: "compression.algorithm", at: SourceLocation(file: Fixture.path, line: 13),
                value: "gzip", accepted: "'zstd', 'none'", hint: nil))
        XCTAssertEqual(
            algorithm.message,
            "invalid value 'gzip' for 'compression.algorithm' in '/etc/lifeboat/lifeboat.yml' line 13; accepted: 'zstd', 'none'"
        )
        XCTAssertEqual(algorithm.hint, "use one of the accepted values")

        for level in ["0", "20", "-1"] {
            let error = try XCTUnwrap(Fixture.error(replacing("level: 3 }", with: "level: \(level) }")))
            guard case .invalidValue(let key, let at, let value, let accepted, _) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(key, "compression.level")
            XCTAssertEqual(at?.line, 13)
            XCTAssertEqual(value, level)
            XCTAssertEqual(accepted, "1...19 for zstd")
        }
        XCTAssertNoThrow(try Fixture.parse(replacing("level: 3 }", with: "level: 19 }")))
        let noneWithLevel = try XCTUnwrap(Fixture.error(replacing("algorithm: zstd", with: "algorithm: none")))
        XCTAssertEqual(noneWithLevel.hint, "remove 'level' or set 'algorithm: zstd'")
    }

    func testInvalidAddressingAndBackupType() throws {
        XCTAssertEqual(
            Fixture.error(replacing("addressing: path ", with: "addressing: host ")),
            .invalidValue(
                key: "repository.addressing", at: SourceLocation(file: Fixture.path, line: 10),
                value: "host", accepted: "'path', 'virtual'", hint: nil))
        XCTAssertEqual(
            Fixture.error(Fixture.minimal + "backup: { type: full }\n"),
            .invalidValue(
                key: "backup.type", at: SourceLocation(file: Fixture.path, line: 8),
                value: "full", accepted: "'logical', 'snapshot'", hint: nil))
    }

    func testRepositoryURLWithUnsupportedScheme() throws {
        let error = try XCTUnwrap(Fixture.error(replacing("\"file:///var/backups/lifeboat\"", with: "ftp://x")))
        guard case .invalidValue(let key, let at, let value, let accepted, let hint) = error else {
            return XCTFail("\(error)")
        }
        XCTAssertEqual(key, "repository.url")
        XCTAssertEqual(at, SourceLocation(file: Fixture.path, line: 7))
        XCTAssertEqual(value, "ftp://x")
        XCTAssertEqual(accepted, "file://PATH, s3://BUCKET[/PREFIX]")
        XCTAssertNotNil(hint)
        XCTAssertTrue(error.message.contains("file://PATH, s3://BUCKET[/PREFIX]"))
        XCTAssertTrue(error.message.contains("line 7"))
    }

    func testClusterNameRules() throws {
        for bad in [".hidden", "has space", "slash/name", String(repeating: "a", count: 64), "ü"] {
            let yaml = Fixture.minimal.replacingOccurrences(of: "cluster: main", with: "cluster: \"\(bad)\"")
            let error = try XCTUnwrap(Fixture.error(yaml), bad)
            guard case .invalidValue(let key, let at, let value, let accepted, _) = error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(key, "cluster")
            XCTAssertEqual(at?.line, 1)
            XCTAssertEqual(value, bad)
            XCTAssertEqual(accepted, NameRules.clusterRule)
        }
        for good in ["a", "main", "prod_eu-1.v2", String(repeating: "a", count: 63)] {
            let yaml = Fixture.minimal.replacingOccurrences(of: "cluster: main", with: "cluster: \(good)")
            XCTAssertEqual(try Fixture.parse(yaml).cluster, good)
        }
    }

    func testEmptyStringIsInvalid() throws {
        let yaml = Fixture.minimal.replacingOccurrences(of: "cluster: main", with: "cluster: ''")
        XCTAssertEqual(
            Fixture.error(yaml),
            .invalidValue(
                key: "cluster", at: SourceLocation(file: Fixture.path, line: 1),
                value: "", accepted: "a non-empty string", hint: nil))
    }

    func testMissingRequiredKeys() throws {
        let noCluster = try XCTUnwrap(
            Fixture.error(Fixture.minimal.replacingOccurrences(of: "cluster: main\n", with: "")))
        guard case .missingKey(let key, let at, let hint) = noCluster else { return XCTFail("\(noCluster)") }
        XCTAssertEqual(key, "cluster")
        XCTAssertEqual(at.line, 1)
        XCTAssertTrue(hint.contains("cluster: main"))

        let noURL = try XCTUnwrap(
            Fixture.error(
                replacing(
                    "  url: \"postgresql://postgres@127.0.0.1:5432/postgres\"   # password via PGPASSWORD / .pgpass, never in argv\n",
                    with: "")))
        guard case .missingKey(let urlKey, let urlAt, let urlHint) = noURL else { return XCTFail("\(noURL)") }
        XCTAssertEqual(urlKey, "postgres.url")
        XCTAssertEqual(urlAt, SourceLocation(file: Fixture.path, line: 2), "points at the 'postgres:' section")
        XCTAssertTrue(urlHint.contains("PGPASSWORD"))
        XCTAssertEqual(noURL.message, "missing required key 'postgres.url' in '/etc/lifeboat/lifeboat.yml' line 2")

        let noRepository = Fixture.minimal.replacingOccurrences(
            of: "repository:\n  url: file:///var/backups/lifeboat\n", with: "")
        guard case .missingKey(key: "repository", _, _) = try XCTUnwrap(Fixture.error(noRepository)) else {
            return XCTFail("expected missing repository")
        }
        let emptyRepository = Fixture.minimal.replacingOccurrences(
            of: "  url: file:///var/backups/lifeboat\n", with: "  region: x\n")
        guard case .missingKey(key: "repository.url", _, _) = try XCTUnwrap(Fixture.error(emptyRepository)) else {
            return XCTFail("expected missing repository.url")
        }
    }

    func testEncryptionNeedsExactlyOneSource() throws {
        let neither = Fixture.minimal.replacingOccurrences(
            of: "  passphrase_env: LIFEBOAT_PASSPHRASE\n", with: "  key_file:\n")
        let missing = try XCTUnwrap(Fixture.error(neither))
        guard case .missingKey(let key, let at, let hint) = missing else { return XCTFail("\(missing)") }
        XCTAssertEqual(key, "encryption.key_file")
        XCTAssertEqual(at.line, 6)
        XCTAssertTrue(hint.contains("passphrase_env"))

        let both = Fixture.minimal + "  key_file: /k\n"
        XCTAssertEqual(
            Fixture.error(both),
            .invalidValue(
                key: "encryption", at: SourceLocation(file: Fixture.path, line: 6), value: nil,
                accepted: "exactly one of 'key_file' or 'passphrase_env'",
                hint: "remove one of them"))
        let section = Fixture.minimal.replacingOccurrences(
            of: "encryption:\n  passphrase_env: LIFEBOAT_PASSPHRASE\n", with: "")
        guard case .missingKey(key: "encryption", _, _) = try XCTUnwrap(Fixture.error(section)) else {
            return XCTFail("expected missing encryption")
        }
    }

    func testPassphraseWrittenInsteadOfVariableNameIsNotEchoed() throws {
        let yaml = Fixture.minimal.replacingOccurrences(of: "LIFEBOAT_PASSPHRASE", with: "\"correct horse battery\"")
        let error = try XCTUnwrap(Fixture.error(yaml))
        guard case .invalidValue(let key, let at, let value, _, let hint) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(key, "encryption.passphrase_env")
        XCTAssertEqual(at?.line, 7)
        XCTAssertNil(value)
        XCTAssertFalse(error.description.contains("horse"))
        XCTAssertTrue(hint?.contains("not the passphrase") ?? false)
    }

    func testS3SettingValues() throws {
        let s3 = Fixture.minimal.replacingOccurrences(
            of: "  url: file:///var/backups/lifeboat", with: "  url: s3://bucket/x")
        func error(_ line: String) -> ConfigError? {
            Fixture.error(s3.replacingOccurrences(of: "  url: s3://bucket/x", with: "  url: s3://bucket/x\n  \(line)"))
        }
        XCTAssertEqual(
            error("sse: AES128"),
            .invalidValue(
                key: "repository.sse", at: SourceLocation(file: Fixture.path, line: 6),
                value: "AES128", accepted: "'AES256', 'aws:kms'", hint: nil))
        guard case .invalidValue(key: "repository.sse_kms_key_id", _, nil, _, _) = error("sse_kms_key_id: abc") else {
            return XCTFail("a KMS key without sse: aws:kms must be refused")
        }
        guard
            case .invalidValue(key: "repository.storage_class", _, "cold storage", _, _) = error(
                "storage_class: cold storage")
        else {
            return XCTFail("bad storage class")
        }
        guard
            case .invalidValue(key: "repository.metadata_storage_class", _, "GLACIER", _, _) = error(
                "metadata_storage_class: GLACIER")
        else {
            return XCTFail("metadata must not go to an archive class")
        }
        guard
            case .invalidValue(key: "repository.endpoint", _, "127.0.0.1:9000", _, _) = error(
                "endpoint: 127.0.0.1:9000")
        else {
            return XCTFail("endpoint without scheme")
        }
        guard case .invalidValue(key: "repository.region", _, "us east", _, _) = error("region: us east") else {
            return XCTFail("region with a space")
        }
    }

    func testParallelOutsideItsRangeIsRefusedWithTheMemoryItCosts() throws {
        for bad in ["0", "65", "-1"] {
            let caught = Fixture.error(
                Fixture.minimal.replacingOccurrences(
                    of: "  url: file:///var/backups/lifeboat",
                    with: "  url: file:///var/backups/lifeboat\n  parallel: \(bad)"))
            guard case .invalidValue(let key, _, let value, let accepted, let hint) = try XCTUnwrap(caught, bad) else {
                return XCTFail("\(String(describing: caught))")
            }
            XCTAssertEqual(key, "repository.parallel")
            XCTAssertEqual(value, bad)
            XCTAssertEqual(accepted, "1...64 requests")
            XCTAssertTrue(hint?.contains("part_size") == true, "\(String(describing: hint))")
        }
    }

    func testPartSizeErrorsListAcceptedForms() throws {
        func error(_ value: String) -> ConfigError? {
            Fixture.error(
                Fixture.minimal.replacingOccurrences(
                    of: "  url: file:///var/backups/lifeboat",
                    with: "  url: file:///var/backups/lifeboat\n  part_size: \(value)"))
        }
        for bad in ["5MB", "16M", "1.5GiB", "lots", "16 MiBs"] {
            let caught = try XCTUnwrap(error(bad), bad)
            XCTAssertEqual(
                caught,
                .invalidValue(
                    key: "repository.part_size", at: SourceLocation(file: Fixture.path, line: 6),
                    value: bad, accepted: ByteSize.acceptedForms, hint: nil), bad)
        }
        for outOfRange in ["4MiB", "6GiB", "0", "1048576"] {
            let caught = try XCTUnwrap(error(outOfRange), outOfRange)
            guard case .invalidValue(_, _, let value, let accepted, _) = caught else { return XCTFail("\(caught)") }
            XCTAssertEqual(value, outOfRange)
            XCTAssertEqual(accepted, "5MiB...5GiB (the S3 limits for a part)")
        }
        XCTAssertEqual(
            error("[1]"),
            .wrongType(
                key: "repository.part_size", at: SourceLocation(file: Fixture.path, line: 6),
                expected: "a size such as '16MiB'", found: "a list"))
    }

    func testDatabaseListValues() throws {
        let repeated = Fixture.minimal + "backup:\n  databases:\n    - app\n    - app\n"
        XCTAssertEqual(
            Fixture.error(repeated),
            .invalidValue(
                key: "backup.databases", at: SourceLocation(file: Fixture.path, line: 11),
                value: "app", accepted: "each database once",
                hint: "remove the repeated name"))
        let tooLong = Fixture.minimal + "backup: { databases: [\(String(repeating: "x", count: 64))] }\n"
        guard
            case .invalidValue(key: "backup.databases", _, _, NameRules.databaseRule, _) = try XCTUnwrap(
                Fixture.error(tooLong))
        else {
            return XCTFail("64-byte database name must be refused")
        }
    }

    func testPathsWithTildeAreRefused() throws {
        let yaml = Fixture.minimal + "policy: ~/policy.yml\n"
        let error = try XCTUnwrap(Fixture.error(yaml))
        guard case .invalidValue(let key, let at, _, _, let hint) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(key, "policy")
        XCTAssertEqual(at?.line, 8)
        XCTAssertEqual(hint, "'~' is not expanded; write the full path")
    }

    func testYAMLSyntaxErrorNamesFileAndLine() throws {
        let yaml = """
            cluster: main
            postgres:
              url: "postgresql://u@h/db
            repository:
              url: file:///r
            """
        let error = try XCTUnwrap(Fixture.error(yaml))
        guard case .syntax(let file, let line, let problem) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(file, Fixture.path)
        XCTAssertEqual(line, 5, "libyaml reports an unterminated quote where the input ends")
        XCTAssertTrue(problem.contains("quoted scalar that starts on line 3"), problem)
        XCTAssertEqual(error.exitStatus, .usage)
        XCTAssertNotNil(error.hint)

        let badIndent = "cluster: main\npostgres:\n  url: x\n bad: 1\n"
        guard case .syntax(_, 4, _) = try XCTUnwrap(Fixture.error(badIndent)) else { return XCTFail("expected line 4") }
        let tab = "cluster: main\npostgres:\n\turl: x\n"
        guard case .syntax(_, 3, _) = try XCTUnwrap(Fixture.error(tab)) else { return XCTFail("expected line 3") }
    }

    func testDuplicateKeyIsAnErrorWithItsLine() throws {
        let yaml = Fixture.minimal + "cluster: other\n"
        let error = try XCTUnwrap(Fixture.error(yaml))
        guard case .duplicateKey(let key, let at) = error else { return XCTFail("\(error)") }
        XCTAssertEqual(key, "cluster")
        // Yams 6 refuses duplicates itself and points at the first one; with Yams 5, MappingReader finds the second.
        XCTAssertTrue([1, 8].contains(at.line), "\(at)")
        XCTAssertEqual(error.hint, "keep only one of them")
        let nested = Fixture.minimal + "compression:\n  level: 3\n  level: 4\n"
        guard case .duplicateKey(let nestedKey, _) = try XCTUnwrap(Fixture.error(nested)) else {
            return XCTFail("nested")
        }
        XCTAssertTrue(["level", "compression.level"].contains(nestedKey), nestedKey)
    }

    func testEmptyFile() throws {
        for text in ["", "# only a comment\n", "~\n"] {
            guard case .syntax(Fixture.path, 1, _) = try XCTUnwrap(Fixture.error(text)) else {
                return XCTFail("empty file must be a syntax error")
            }
        }
    }

    func testEveryErrorHasAHintAndExitStatusTwo() {
        let location = SourceLocation(file: "f", line: 1)
        let errors: [ConfigError] = [
            .fileNotFound(searched: ["a", "b"]), .unreadable(path: "p", reason: "r"),
            .syntax(file: "f", line: 1, problem: "p"), .unknownKey(key: "k", at: location, accepted: ["x"]),
            .duplicateKey(key: "k", at: location), .wrongType(key: "k", at: location, expected: "e", found: "f"),
            .invalidValue(key: "k", at: nil, value: nil, accepted: "a", hint: nil),
            .missingKey(key: "k", at: location, hint: "h"),
        ]
        for error in errors {
            XCTAssertEqual(error.exitStatus, .usage)
            XCTAssertFalse(error.hint?.isEmpty ?? true, "\(error)")
            XCTAssertEqual(
                error.message, error.message.prefix(1).lowercased() + error.message.dropFirst(), "lower case")
        }
    }
}
