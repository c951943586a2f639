// Drill files: the documented format, defaults, the shipped drills, and an error naming file, line and key
// path for every invalid field and every refused combination.
import Policy
import XCTest

@testable import Configuration

final class DrillLoaderTests: XCTestCase {
    static let path = "/etc/lifeboat/drills/nightly.yml"

    static let full = """
        name: nightly-smoke
        cluster: main
        restore:
          type: logical
          backup: random
          random_within: 7d
          database: shop
        target:
          scratch: database
          url: "postgresql://postgres@db2:5432/postgres"
        objectives: { rpo: 15m, rto: 60m }
        checks:
          sql:
            - { name: orders present, query: "SELECT count(*) > 0 FROM orders", expect: "t", database: shop }
            - { name: answer, query: "SELECT 6 * 7", expect: 42 }
          amcheck: true
          row_counts: true
          full_read: true
        cadence: 182d
        keep: true
        heartbeat: true

        """

    private func parse(_ yaml: String) throws -> DrillDefinition {
        try DrillLoader.parse(yaml: yaml, sourcePath: Self.path, digest: "d1")
    }

    /// The message of the ConfigError parsing `yaml` throws (with its hint), or "" after failing the test.
    private func message(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        configErrorMessage(file: file, line: line) { _ = try parse(yaml) }
    }

    func testFullFileParsesToModel() throws {
        let expected = DrillDefinition(
            name: "nightly-smoke", sourcePath: Self.path, digest: "d1", cluster: "main",
            restore: DrillRestore(kind: .logical, backup: .randomWithin(7 * 86_400), database: "shop"),
            target: .existingServer(url: "postgresql://postgres@db2:5432/postgres"),
            objectives: DrillObjectives(rpo: 900, rto: 3600),
            checks: DrillChecks(
                sql: [
                    SQLCheck(
                        name: "orders present", database: "shop", query: "SELECT count(*) > 0 FROM orders", expect: "t"),
                    SQLCheck(name: "answer", query: "SELECT 6 * 7", expect: "42"),
                ],
                amcheck: true, rowCounts: true, fullRead: true),
            cadence: 182 * 86_400, keep: true, heartbeat: true)
        XCTAssertEqual(try parse(Self.full), expected)
    }

    func testDefaults() throws {
        let drill = try parse("name: minimal\nrestore: { type: snapshot }\n")
        XCTAssertEqual(
            drill,
            DrillDefinition(
                name: "minimal", sourcePath: Self.path, digest: "d1",
                restore: DrillRestore(kind: .snapshot)))
        XCTAssertNil(drill.cluster)
        XCTAssertEqual(drill.restore.backup, .latest)
        XCTAssertNil(drill.restore.toTime, "to the newest archived WAL")
        XCTAssertEqual(drill.target, .scratchCluster)
        XCTAssertEqual(drill.objectives, DrillObjectives(), "both fall back to the policy")
        XCTAssertEqual(drill.checks, DrillChecks())
        XCTAssertNil(drill.cadence)
        XCTAssertFalse(drill.keep)
        XCTAssertFalse(drill.heartbeat)
    }

    func testSnapshotToTimeAndNamedBackup() throws {
        let drill = try parse(
            """
            name: pitr
            restore:
              type: snapshot
              backup: 20261121T195312Z-3f9a2c
              to_time: "2026-11-21T03:14:00+01:00"
            target: { scratch: cluster }

            """)
        XCTAssertEqual(drill.restore.backup, .id("20261121T195312Z-3f9a2c"))
        XCTAssertEqual(drill.restore.toTime, Date(timeIntervalSince1970: 1_795_227_240))
        XCTAssertEqual(drill.target, .scratchCluster)
    }

    func testUnquotedTimestampAndFractionalSeconds() throws {
        let drill = try parse("name: pitr\nrestore:\n  type: snapshot\n  to_time: 2026-11-21T02:14:00.500Z\n")
        XCTAssertEqual(drill.restore.toTime, Date(timeIntervalSince1970: 1_795_227_240.5))
    }

    func testEachInvalidFieldNamesFileLineKeyPathAndAcceptedValues() {
        let head = "name: d\nrestore:\n  type: logical\n"
        let snapshot = "name: d\nrestore:\n  type: snapshot\n"
        let cases: [(yaml: String, key: String, line: Int, accepted: String)] = [
            ("restore: { type: logical }\n", "name", 1, "add 'name:"),
            ("name: nightly smoke\nrestore: { type: logical }\n", "name", 1, "1 to 63 characters"),
            ("name: d\ncluster: ../etc\nrestore: { type: logical }\n", "cluster", 2, "1 to 63 characters"),
            ("name: d\n", "restore", 1, "type: logical"),
            ("name: d\nrestore:\n  backup: latest\n", "restore.type", 2, "'type: logical'"),
            ("name: d\nrestore:\n  type: physical\n", "restore.type", 3, "'logical', 'snapshot'"),
            ("name: d\nrestore:\n  type: logical\n  method: copy\n", "restore.method", 4, "'random_within'"),
            (head + "  backup: newest\n", "restore.backup", 4, "'latest', 'random', or a backup id"),
            (head + "  backup: 20261121T195312Z-3F9A2C\n", "restore.backup", 4, "a backup id"),
            (head + "  backup: random\n", "restore.random_within", 2, "random_within: 7d"),
            (head + "  random_within: 7d\n", "restore.random_within", 4, "only with 'backup: random'"),
            (
                head + "  backup: latest\n  random_within: 7d\n", "restore.random_within", 5,
                "only with 'backup: random'"
            ),
            (head + "  backup: random\n  random_within: 6mo\n", "restore.random_within", 5, "calendar count"),
            (snapshot + "  database: shop\n", "restore.database", 4, "only with 'type: logical'"),
            (head + "  to_time: \"2026-11-21T03:14:00Z\"\n", "restore.to_time", 4, "only with 'type: snapshot'"),
            (snapshot + "  to_time: yesterday\n", "restore.to_time", 4, "RFC 3339"),
            (snapshot + "  to_time: \"2026-11-21 03:14:00\"\n", "restore.to_time", 4, "with a zone"),
            (
                snapshot + "target:\n  scratch: database\n  url: postgresql://db2/postgres\n", "target.scratch", 5,
                "'cluster' for a snapshot drill"
            ),
            (head + "target:\n  scratch: server\n", "target.scratch", 5, "'cluster', 'database'"),
            (head + "target:\n  scratch: database\n", "target.url", 4, "add 'url:"),
            (head + "target:\n  url: postgresql://db2/postgres\n", "target.url", 5, "only with 'scratch: database'"),
            (
                head + "target:\n  scratch: cluster\n  url: postgresql://db2/postgres\n", "target.url", 6,
                "only with 'scratch: database'"
            ),
            (head + "objectives:\n  rpo: 15\n", "objectives.rpo", 5, "'15m'"),
            (head + "objectives:\n  rto: 0m\n", "objectives.rto", 5, "longer than zero"),
            (head + "objectives:\n  drill_every: 182d\n", "objectives.drill_every", 5, "'rpo', 'rto'"),
            (head + "cadence: 6mo\n", "cadence", 4, "calendar count"),
            (head + "keep: yes please\n", "keep", 4, "a boolean"),
            (head + "heartbeat: 1\n", "heartbeat", 4, "a boolean"),
            (head + "checks:\n  amcheck: on please\n", "checks.amcheck", 5, "a boolean"),
            (head + "checks:\n  indexes: true\n", "checks.indexes", 5, "'amcheck', 'row_counts', 'full_read'"),
            (snapshot + "checks:\n  row_counts: true\n", "checks.row_counts", 5, "'false' for a snapshot drill"),
            (head + "checks:\n  sql: SELECT 1\n", "checks.sql", 5, "a list of checks"),
            (
                head + "checks:\n  sql:\n    - SELECT 1\n", "checks.sql[0]", 6,
                "a mapping with 'name', 'query' and 'expect'"
            ),
            (head + "checks:\n  sql:\n    - { query: SELECT 1, expect: 1 }\n", "checks.sql[0].name", 6, "add 'name:"),
            (head + "checks:\n  sql:\n    - { name: one, expect: 1 }\n", "checks.sql[0].query", 6, "add 'query:"),
            (
                head + "checks:\n  sql:\n    - { name: one, query: SELECT 1 }\n", "checks.sql[0].expect", 6,
                "add 'expect:"
            ),
            (
                head + "checks:\n  sql:\n    - { name: one, query: SELECT true, expect: true }\n",
                "checks.sql[0].expect", 6, "expect: \"t\""
            ),
            (
                head + "checks:\n  sql:\n    - { name: one, query: SELECT 1, expect: [1] }\n", "checks.sql[0].expect",
                6, "a string or number"
            ),
            (
                head + "checks:\n  sql:\n    - { name: one, query: SELECT 1, expect: \"\" }\n", "checks.sql[0].expect",
                6, "a non-empty string"
            ),
            (
                head + "checks:\n  sql:\n    - { name: one, query: SELECT 1, expect: 1, db: shop }\n",
                "checks.sql[0].db", 6, "'database'"
            ),
            (
                head
                    + "checks:\n  sql:\n    - { name: one, query: SELECT 1, expect: 1 }\n    - { name: one, query: SELECT 2, expect: 2 }\n",
                "checks.sql[1].name", 7, "a name not used by another SQL check"
            ),
            ("name: d\nrestore: { type: logical }\nschedule: daily\n", "schedule", 3, "'cadence'"),
        ]
        for (yaml, key, line, accepted) in cases {
            let text = message(yaml)
            XCTAssertTrue(text.contains("'\(key)'"), "\(key): \(text)")
            XCTAssertTrue(text.contains("'\(Self.path)' line \(line)"), "\(key): \(text)")
            XCTAssertTrue(text.contains(accepted), "\(key): \(text)")
        }
    }

    func testTargetURLNeverAppearsInErrors() {
        let yaml =
            "name: d\nrestore: { type: logical }\ntarget:\n  url: \"postgresql://postgres:hunter2@db2/postgres\"\n"
        let text = message(yaml)
        XCTAssertTrue(text.contains("'target.url'"), text)
        XCTAssertFalse(text.contains("hunter2"), text)
        XCTAssertFalse(text.contains("db2"), text)
    }

    func testEmptyAndMalformedFiles() {
        XCTAssertTrue(message("").contains("empty"))
        XCTAssertTrue(message("- name\n").contains("must be a mapping"))
        XCTAssertTrue(message("name: [\n").contains("invalid yaml in '\(Self.path)'"))
    }

    func testLoadHashesTheFileBytesThroughTheCallersDigest() throws {
        let directory = try Fixture.temporaryDirectory(self)
        let path = directory + "/d.yml"
        let text = "name: d\nrestore: { type: logical }   # é\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        var hashed: [UInt8] = []
        let drill = try DrillLoader.load(path: path) { bytes in
            hashed = bytes
            return "digest-of-\(bytes.count)"
        }
        XCTAssertEqual(hashed, Array(text.utf8))
        XCTAssertEqual(drill.digest, "digest-of-\(text.utf8.count)")
        XCTAssertEqual(drill.sourcePath, path)
        XCTAssertThrowsError(try DrillLoader.load(path: directory + "/missing.yml") { _ in "" }) { error in
            XCTAssertEqual(error as? ConfigError, .fileNotFound(searched: [directory + "/missing.yml"]))
        }
    }

    func testShippedDrills() throws {
        let drills = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("drills")
        let smokePath = drills.appendingPathComponent("nightly-smoke.yml").path
        let smoke = try DrillLoader.load(path: smokePath) { _ in "s" }
        XCTAssertEqual(
            smoke,
            DrillDefinition(
                name: "nightly-smoke", sourcePath: smokePath, digest: "s",
                restore: DrillRestore(kind: .logical, backup: .latest), target: .scratchCluster,
                objectives: DrillObjectives(rto: 900),
                checks: DrillChecks(
                    sql: [SQLCheck(name: "catalog readable", query: "SELECT count(*) >= 0 FROM pg_class", expect: "t")],
                    rowCounts: true, fullRead: true),
                cadence: 86_400, heartbeat: true))

        let fullPath = drills.appendingPathComponent("semiannual-full.yml").path
        let full = try DrillLoader.load(path: fullPath) { _ in "f" }
        XCTAssertEqual(
            full,
            DrillDefinition(
                name: "semiannual-full", sourcePath: fullPath, digest: "f",
                restore: DrillRestore(kind: .snapshot, backup: .latest), target: .scratchCluster,
                objectives: DrillObjectives(), checks: DrillChecks(amcheck: true, fullRead: true),
                cadence: 182 * 86_400, heartbeat: true))
    }
}
