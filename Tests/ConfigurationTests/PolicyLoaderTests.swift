// Policy files: the documented format, defaults, durations, and an error naming file, line and key path for
// every invalid field.
import Policy
import XCTest

@testable import Configuration

final class PolicyLoaderTests: XCTestCase {
    static let path = "/etc/lifeboat/policies/production.yml"

    static let full = """
        name: production
        timezone: Europe/Berlin
        objectives: { rpo: 15m, rto: 60m, drill_every: 182d }
        safety: { min_age: 1d, min_complete: 2 }
        keep:
          snapshot: { last: 2, hourly: 24, daily: 7, weekly: 4, monthly: 12, yearly: 3, within: 7d }
          logical:  { last: 7 }
        wal: { pitr_window: 7d }
        tiering:
          - { after: 30d, storage_class: STANDARD_IA }
          - { after: 8d, storage_class: GLACIER, kept_by: [monthly, yearly], types: [snapshot] }
        immutability: { mode: governance, days: 7 }

        """

    private func parse(_ yaml: String) throws -> RetentionPolicy {
        try PolicyLoader.parse(yaml: yaml, sourcePath: Self.path)
    }

    /// The message of the ConfigError parsing `yaml` throws (with its hint), or "" after failing the test.
    private func message(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        configErrorMessage(file: file, line: line) { _ = try parse(yaml) }
    }

    func testFullPolicyParsesToModel() throws {
        let policy = try parse(Self.full)
        let expected = RetentionPolicy(
            name: "production", sourcePath: Self.path, timeZone: TimeZone(identifier: "Europe/Berlin")!,
            objectives: Objectives(rpo: 900, rto: 3600, drillEvery: 182 * 86_400),
            safety: SafetyRules(minAge: 86_400, minComplete: 2),
            keep: [
                .snapshot: KeepRules(
                    last: 2, hourly: 24, daily: 7, weekly: 4, monthly: 12, yearly: 3, within: 7 * 86_400),
                .logical: KeepRules(last: 7),
            ],
            wal: WALRetention(pitrWindow: 7 * 86_400),
            tiering: [
                TieringRule(after: 30 * 86_400, storageClass: "STANDARD_IA"),
                TieringRule(
                    after: 8 * 86_400, storageClass: "GLACIER", keptBy: [.monthly, .yearly], types: [.snapshot]),
            ],
            immutability: Immutability(mode: .governance, days: 7))
        XCTAssertEqual(policy, expected)
    }

    func testDefaults() throws {
        let policy = try parse("keep:\n  logical: { last: 3 }\n")
        XCTAssertEqual(policy.name, "production", "the file name without extension")
        XCTAssertEqual(policy.timeZone, TimeZone(identifier: "UTC")!)
        XCTAssertEqual(policy.safety, SafetyRules(minAge: 86_400, minComplete: 1))
        XCTAssertEqual(policy.objectives, Objectives())
        XCTAssertNil(policy.wal.pitrWindow)
        XCTAssertEqual(policy.tiering, [])
        XCTAssertNil(policy.immutability)
        XCTAssertNil(policy.keep[.snapshot], "a type without rules keeps everything")
    }

    func testComplianceModeIsStoredUpperCase() throws {
        XCTAssertEqual(
            try parse("immutability: { mode: compliance, days: 30 }\n").immutability,
            Immutability(mode: .compliance, days: 30))
    }

    func testDurations() {
        let cases: [(String, TimeInterval?)] = [
            ("90s", 90), ("15m", 900), ("1h", 3600), ("1h30m", 5400), ("7d", 604_800), ("2w", 1_209_600),
            ("1d12h", 129_600), ("0s", 0), ("", nil), ("15", nil), ("15 m", nil), ("m", nil), ("1.5h", nil),
            ("30m1h", nil), ("1h1h", nil), ("12mo", nil), ("1y", nil), ("15M", nil), ("-1d", nil),
            ("99999999999999999999d", nil),
        ]
        for (text, seconds) in cases {
            XCTAssertEqual(PolicyLoader.parseDuration(text), seconds, text)
        }
        // How durations are written back (DurationText.format) is tested with the model, in PolicyTests.
    }

    func testMonthsAndYearsAreRefusedWithAHint() {
        let text = message("keep:\n  snapshot: { within: 12mo }\n")
        XCTAssertTrue(text.contains("'keep.snapshot.within'"), text)
        XCTAssertTrue(text.contains("line 2"), text)
        XCTAssertTrue(text.contains("calendar count"), text)
    }

    func testEachInvalidFieldNamesFileLineKeyPathAndAcceptedValues() {
        let cases: [(yaml: String, key: String, line: Int, accepted: String)] = [
            ("name: prod\ntimezone: Mars/Olympus\n", "timezone", 2, "IANA time zone"),
            ("objectives:\n  rpo: 15\n", "objectives.rpo", 2, "'15m'"),
            ("objectives:\n  rto: 0m\n", "objectives.rto", 2, "longer than zero"),
            ("objectives:\n  drill_every: half a year\n", "objectives.drill_every", 2, "'7d'"),
            ("objectives:\n  rpo: 15m\n  sla: 1h\n", "objectives.sla", 3, "'rpo', 'rto', 'drill_every'"),
            ("safety:\n  min_complete: 0\n", "safety.min_complete", 2, "at least 1"),
            ("safety:\n  min_age: soon\n", "safety.min_age", 2, "'1h30m'"),
            ("keep:\n  snapshot:\n    daily: 0\n", "keep.snapshot.daily", 3, "at least 1"),
            ("keep:\n  snapshot:\n    weekly: many\n", "keep.snapshot.weekly", 3, "an integer"),
            ("keep:\n  snapshot:\n    quarterly: 4\n", "keep.snapshot.quarterly", 3, "'monthly'"),
            ("keep:\n  physical: { last: 1 }\n", "keep.physical", 2, "'logical', 'snapshot'"),
            ("keep:\n  snapshot: {}\n", "keep.snapshot", 2, "at least one of"),
            ("wal:\n  pitr_window: 1y\n", "wal.pitr_window", 2, "'2w'"),
            (
                "tiering:\n  - { after: 8d, storage_class: GLACIER_DEEP }\n", "tiering[0].storage_class", 2,
                "'DEEP_ARCHIVE'"
            ),
            ("tiering:\n  - { after: 8d, storage_class: glacier }\n", "tiering[0].storage_class", 2, "'GLACIER'"),
            ("tiering:\n  - { storage_class: GLACIER }\n", "tiering[0].after", 2, "add 'after"),
            (
                "tiering:\n  - { after: 1d, storage_class: GLACIER }\n  - { after: 8d, storage_class: GLACIER, kept_by: [quarterly] }\n",
                "tiering[1].kept_by", 3, "'monthly'"
            ),
            (
                "tiering:\n  - { after: 8d, storage_class: GLACIER, types: [physical] }\n", "tiering[0].types", 2,
                "'snapshot'"
            ),
            ("tiering: { after: 8d }\n", "tiering", 1, "a list of rules"),
            ("immutability:\n  mode: legal-hold\n  days: 7\n", "immutability.mode", 2, "'governance', 'compliance'"),
            ("immutability:\n  mode: governance\n  days: 0\n", "immutability.days", 3, "at least 1"),
            ("immutability:\n  mode: governance\n", "immutability.days", 1, "add 'days"),
            ("retention: 7d\n", "retention", 1, "'keep'"),
        ]
        for (yaml, key, line, accepted) in cases {
            let text = message(yaml)
            XCTAssertTrue(text.contains("'\(key)'"), "\(key): \(text)")
            XCTAssertTrue(text.contains("'\(Self.path)' line \(line)"), "\(key): \(text)")
            XCTAssertTrue(text.contains(accepted), "\(key): \(text)")
        }
    }

    func testEmptyAndMalformedFiles() {
        XCTAssertTrue(message("").contains("empty"))
        XCTAssertTrue(message("- keep\n").contains("must be a mapping"))
        XCTAssertTrue(message("keep: [\n").contains("invalid yaml in '\(Self.path)'"))
    }

    func testShippedPolicies() throws {
        let policies = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("policies")
        let production = try PolicyLoader.load(path: policies.appendingPathComponent("production.yml").path)
        XCTAssertEqual(production.name, "production")
        XCTAssertEqual(production.objectives, Objectives(rpo: 900, rto: 3600, drillEvery: 182 * 86_400))
        XCTAssertEqual(production.safety, SafetyRules(minAge: 86_400, minComplete: 2))
        XCTAssertEqual(production.keep[.snapshot], KeepRules(daily: 7, monthly: 12))
        XCTAssertEqual(production.keep[.logical], KeepRules(last: 7))
        XCTAssertEqual(production.wal.pitrWindow, 7 * 86_400)
        XCTAssertEqual(
            production.tiering,
            [TieringRule(after: 8 * 86_400, storageClass: "GLACIER", keptBy: [.monthly], types: [.snapshot])])
        XCTAssertEqual(production.immutability, Immutability(mode: .governance, days: 7))

        let development = try PolicyLoader.load(path: policies.appendingPathComponent("development.yml").path)
        XCTAssertEqual(development.name, "development")
        XCTAssertEqual(development.objectives, Objectives(rpo: 3600, rto: 7200, drillEvery: 30 * 86_400))
        XCTAssertEqual(development.keep[.snapshot], KeepRules(last: 3, within: 2 * 86_400))
        XCTAssertEqual(development.keep[.logical], KeepRules(last: 3, within: 2 * 86_400))
        XCTAssertEqual(development.wal.pitrWindow, 86_400)
        XCTAssertEqual(development.tiering, [])
        XCTAssertNil(development.immutability)
    }

    func testMissingFile() {
        XCTAssertThrowsError(try PolicyLoader.load(path: "/nonexistent/policy.yml")) { error in
            XCTAssertEqual(error as? ConfigError, .fileNotFound(searched: ["/nonexistent/policy.yml"]))
        }
    }
}
