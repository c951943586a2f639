// monitoring/ cannot rot: the alerting rules pass `promtool check rules` and their unit tests `promtool test
// rules` (every alert has a case where it fires and one where it stays quiet), every metric name and label the
// rules and the Grafana dashboard's queries use is one docs/metrics.md documents, the dashboard's queries parse
// (promtool, as recording rules), and docs/metrics.md is exactly what the built binary writes: a real backup,
// WAL push, status, key listing and key add, prune, drill and a lock-refused backup fill one metrics file, and
// its metric names, types and label names must equal the documented table.
import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class MonitoringTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let monitoring = root + "/monitoring"
    /// Labels the scrape adds to every sample (node_exporter's textfile collector).
    static let scrapeLabels: Set<String> = ["instance", "job"]

    // MARK: - promtool

    func testRulesPassPromtoolCheckAndTheirUnitTests() throws {
        let check = try run(["promtool", "check", "rules", "lifeboat.rules.yml"], in: Self.monitoring)
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.output.contains("SUCCESS"), check.output)
        let tests = try run(["promtool", "test", "rules", "lifeboat.rules.test.yml"], in: Self.monitoring)
        XCTAssertEqual(tests.status, 0, tests.output)
        XCTAssertTrue(tests.output.contains("SUCCESS"), tests.output)
        XCTAssertFalse(tests.output.contains("FAILED"), tests.output)
    }

    func testEveryAlertIsCompleteAndTestedBothWays() throws {
        let rules = try alertRules()
        XCTAssertGreaterThanOrEqual(rules.count, 12)
        let cases = try ruleTestCases()
        let topics = [
            "BackupStale", "RPOObjectiveExceeded", "WALArchivingFailing", "WALArchiveBacklog", "DrillFailed",
            "DrillOverdue",
            "IntegrityFailure", "KeySlotsChanged", "RunLockedOut", "LockContention",
        ]
        for topic in topics {
            XCTAssertTrue(rules.contains { $0.alert == "Lifeboat" + topic }, "no alert Lifeboat\(topic)")
        }
        for rule in rules {
            XCTAssertTrue(rule.alert.hasPrefix("Lifeboat"), rule.alert)
            XCTAssertFalse(rule.duration.isEmpty, "\(rule.alert) has no for:")
            XCTAssertTrue(
                ["critical", "warning", "info"].contains(rule.labels["severity"] ?? ""),
                "\(rule.alert): severity \(rule.labels)")
            for key in ["summary", "description", "runbook"] {
                XCTAssertFalse((rule.annotations[key] ?? "").isEmpty, "\(rule.alert) has no \(key) annotation")
            }
            let runbook = rule.annotations["runbook"] ?? ""
            XCTAssertTrue(
                runbook.hasPrefix("runbooks/") && FileManager.default.fileExists(atPath: Self.root + "/" + runbook),
                "\(rule.alert): runbook '\(runbook)' is not a file under runbooks/")
            XCTAssertTrue(
                rule.annotations["description"]?.contains(runbook) == true,
                "\(rule.alert): the description names the runbook")
            XCTAssertTrue(
                cases.contains { $0.alert == rule.alert && $0.fires }, "\(rule.alert): no test case where it fires")
            XCTAssertTrue(
                cases.contains { $0.alert == rule.alert && !$0.fires },
                "\(rule.alert): no test case where it stays quiet")
        }
    }

    // MARK: - names against docs/metrics.md

    func testRulesUseOnlyDocumentedMetricsAndLabels() throws {
        let docs = try DocumentedMetrics.load(Self.root + "/docs/metrics.md")
        for rule in try alertRules() {
            assertDocumented(rule.expr, docs, where: "alert \(rule.alert)")
        }
    }

    func testDashboardIsValidAndQueriesOnlyDocumentedMetrics() throws {
        let docs = try DocumentedMetrics.load(Self.root + "/docs/metrics.md")
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.monitoring + "/lifeboat-dashboard.json"))
        let dashboard = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: data) as? [String: Any], "the dashboard is a JSON object")
        XCTAssertGreaterThanOrEqual(dashboard["schemaVersion"] as? Int ?? 0, 36, "a current Grafana's schema")
        XCTAssertFalse((dashboard["title"] as? String ?? "").isEmpty)
        XCTAssertFalse((dashboard["uid"] as? String ?? "").isEmpty)
        let inputs = dashboard["__inputs"] as? [[String: Any]] ?? []
        XCTAssertTrue(
            inputs.contains { $0["name"] as? String == "DS_PROMETHEUS" && $0["pluginId"] as? String == "prometheus" },
            "the data source is an import input")

        let panels = flatten(dashboard["panels"] as? [[String: Any]] ?? [])
        let ids = panels.compactMap { $0["id"] as? Int }
        XCTAssertEqual(ids.count, panels.count, "every panel has an id")
        XCTAssertEqual(Set(ids).count, ids.count, "panel ids are unique")
        var queries: [(String, String)] = []
        for panel in panels where panel["type"] as? String != "row" {
            let title = panel["title"] as? String ?? "?"
            let grid = panel["gridPos"] as? [String: Int] ?? [:]
            XCTAssertTrue(
                ["x", "y", "w", "h"].allSatisfy { grid[$0] != nil } && (grid["x"] ?? 0) + (grid["w"] ?? 0) <= 24,
                "\(title): gridPos \(grid)")
            XCTAssertEqual(
                (panel["datasource"] as? [String: Any])?["uid"] as? String, "${DS_PROMETHEUS}", "\(title): data source")
            let targets = panel["targets"] as? [[String: Any]] ?? []
            XCTAssertFalse(targets.isEmpty, "\(title) has no query")
            for target in targets {
                XCTAssertEqual(
                    (target["datasource"] as? [String: Any])?["uid"] as? String, "${DS_PROMETHEUS}",
                    "\(title): target data source")
                let expr = try XCTUnwrap(target["expr"] as? String, "\(title): a target without expr")
                queries.append(("panel \(panel["id"] ?? "?") \(target["refId"] ?? "?")", expr))
            }
        }
        for (place, expr) in queries { assertDocumented(expr, docs, where: "dashboard \(place)") }
        let used = Set(queries.flatMap { PromQL.scan(Self.grafanaFree($0.1)).metrics })
        for needed in [
            "lifeboat_rpo_exposure_seconds", "lifeboat_rpo_objective_seconds",
            "lifeboat_newest_recoverable_point_timestamp_seconds",
            "lifeboat_backup_last_success_timestamp_seconds", "lifeboat_wal_ready_oldest_age_seconds",
            "lifeboat_wal_ready_files",
            "lifeboat_operation_failures_total", "lifeboat_drill_last_rto_seconds",
            "lifeboat_drill_rto_objective_seconds",
            "lifeboat_drill_last_rpo_seconds", "lifeboat_drill_rpo_objective_seconds",
            "lifeboat_repository_stored_bytes",
        ] {
            XCTAssertTrue(used.contains(needed), "no dashboard panel shows \(needed)")
        }
        // Template variables query documented metrics too.
        for variable in (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? [] {
            let query = (variable["query"] as? [String: Any])?["query"] as? String ?? variable["query"] as? String ?? ""
            let metric = try XCTUnwrap(
                query.firstMatch(of: /label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*([a-zA-Z_]+)\s*\)/),
                "variable \(variable["name"] ?? "?"): \(query)")
            XCTAssertNotNil(
                docs.metrics[String(metric.1)], "variable query names \(metric.1), which Lifeboat does not write")
            XCTAssertTrue(
                docs.metrics[String(metric.1)]?.labels.contains(String(metric.2)) == true, "variable label \(metric.2)")
        }
        // Every query parses: promtool checks them as recording rules.
        let directory = NSTemporaryDirectory() + "dashboard-rules-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let records = queries.enumerated().map { index, query in
            ["record": "lifeboat_dashboard:query_\(index)", "expr": Self.grafanaFree(query.1)]
        }
        let rules = try JSONSerialization.data(
            withJSONObject: ["groups": [["name": "dashboard", "rules": records]]],
            options: [.sortedKeys, .withoutEscapingSlashes])
        try rules.write(to: URL(fileURLWithPath: directory + "/dashboard.rules.yml"))  // JSON is YAML (without "\/")
        let check = try run(["promtool", "check", "rules", "dashboard.rules.yml"], in: directory)
        XCTAssertEqual(check.status, 0, "a dashboard query does not parse: \(check.output)")
    }

    func testTheScannerFindsMetricsLabelsAndMatchers() {
        let scan = PromQL.scan(
            #"sum without (operation) (increase(lifeboat_a_total{cluster=~"x|y",operation!="z"}[1d] offset 1h)) >= 3 and on(cluster) b:c / time() > 26 * 3600 or vector(1) unless d"#
        )
        XCTAssertEqual(scan.metrics, ["lifeboat_a_total", "b:c", "d"])
        XCTAssertEqual(scan.groupingLabels, ["operation", "cluster"])
        XCTAssertEqual(
            scan.matchers.map { "\($0.metric ?? "-") \($0.label)\($0.op)\($0.value)" },
            [#"lifeboat_a_total cluster=~x|y"#, #"lifeboat_a_total operation!=z"#])
        XCTAssertEqual(PromQL.scan(#"{__name__="m", cluster="a"} > 0"#).matchers.first?.metric, nil)
    }

    // MARK: - docs/metrics.md against the binary

    /// `wal receive` for three seconds on a slot of its own, so its state record exists and `status` writes the
    /// receiver's gauges; the slot is dropped again (the scratch server would keep WAL for it).
    func runReceiverBriefly(_ env: TestEnvironment, _ workspace: Workspace) throws {
        let config = workspace.directory + "/receive.yml"
        let slot = "lifeboat_monitoring_test"
        try
            (String(contentsOfFile: workspace.configPath, encoding: .utf8)
            + "\nwal: { partial_every: 1s, slot: \(slot) }\n").write(toFile: config, atomically: true, encoding: .utf8)
        let receiver = try LifeboatProcess(
            env, ["--config", config, "--no-progress", "wal", "receive"], environment: ["TMPDIR": workspace.directory])
        Thread.sleep(forTimeInterval: 3)
        kill(receiver.process.processIdentifier, SIGTERM)
        let stopped = receiver.wait()
        XCTAssertEqual(stopped.status, 0, stopped.output)
        let admin = try env.admin()
        defer { admin.close() }
        let deadline = Date().addingTimeInterval(10)
        while (try? admin.execute("SELECT pg_drop_replication_slot('\(slot)')")) == nil && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)  // its walsender may still be exiting
        }
    }

    /// `wal push` and `status` with `wal.async`, so the queue and pusher gauges are written: the background pusher
    /// archives the segment and `wal push` succeeds from its marker.
    func pushAsynchronously(
        _ env: TestEnvironment, _ workspace: Workspace, pgWAL: String, segment: String, metrics: String
    ) throws {
        let config = workspace.directory + "/async.yml"
        try
            (String(contentsOfFile: workspace.configPath, encoding: .utf8)
            + "\nwal: { async: true, spool_dir: \(workspace.directory)/spool }\n").write(
                toFile: config, atomically: true, encoding: .utf8)
        for arguments in [["wal", "push", pgWAL + "/" + segment], ["status", "--rpo", "1h"]] {
            let result = try runLifeboat(
                env, ["--config", config, "--no-progress", "--metrics-file", metrics] + arguments)
            XCTAssertEqual(result.status, 0, "\(arguments): \(result.output)")
        }
    }

    func testDocumentedMetricsAreExactlyWhatTheBinaryWrites() throws {
        let env = try TestEnvironment.require()
        let docs = try DocumentedMetrics.load(Self.root + "/docs/metrics.md")
        let source = TestEnvironment.uniqueName("monitoring")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 200)
        let workspace = try Workspace(env, name: "monitoring")
        try workspace.initialize(database: source)
        try workspace.writePolicy(
            try String(contentsOfFile: Self.root + "/policies/development.yml", encoding: .utf8),
            name: "policy.yml", database: source)
        let file = workspace.directory + "/lifeboat.prom"
        func lifeboat(_ arguments: [String], expect status: Int32) throws {
            let result = try workspace.lifeboat(["--metrics-file", file] + arguments)
            XCTAssertEqual(result.status, status, "\(arguments): \(result.output)")
        }

        try lifeboat(["backup"], expect: 0)
        try runReceiverBriefly(env, workspace)
        // WAL push from a pg_wal with two .ready files, one of them waiting for 20 minutes.
        let segments = try WALSegmentFiles(env)
        let pgWAL = workspace.directory + "/pg_wal"
        try FileManager.default.createDirectory(atPath: pgWAL + "/archive_status", withIntermediateDirectories: true)
        for number: UInt64 in [1, 2] {
            try segments.write(number, into: pgWAL)
            _ = FileManager.default.createFile(
                atPath: pgWAL + "/archive_status/" + WALSegmentFiles.name(number) + ".ready", contents: nil)
        }
        try FileManager.default.setAttributes(
            [.modificationDate: Date().addingTimeInterval(-1_200)],
            ofItemAtPath: pgWAL + "/archive_status/" + WALSegmentFiles.name(1) + ".ready")
        try lifeboat(["wal", "push", pgWAL + "/" + WALSegmentFiles.name(1)], expect: 0)
        try lifeboat(["status", "--rpo", "1h"], expect: 0)
        try pushAsynchronously(env, workspace, pgWAL: pgWAL, segment: WALSegmentFiles.name(2), metrics: file)
        try lifeboat(["key", "list"], expect: 0)
        XCTAssertEqual(
            try runLifeboat(env, ["key", "generate", "--output", workspace.directory + "/second.key"]).status, 0)
        try lifeboat(["key", "add", "--key-file", workspace.directory + "/second.key", "--label", "second"], expect: 0)
        try lifeboat(["prune"], expect: 0)
        let drill = try workspace.writeDrill(
            "smoke",
            """
            restore: { type: logical, database: \(source) }
            target: { scratch: database, url: "\(env.url(database: "postgres"))" }
            objectives: { rto: 10m, rpo: 1d }
            checks: { row_counts: true }
            cadence: 1d
            """)
        try lifeboat(["drill", "run", drill], expect: 0)
        // A live holder of the cluster lock (this test process) refuses the next backup with exit 5.
        let holder =
            #"{"command":"lifeboat backup","host":"\#(ProcessInfo.processInfo.hostName)","pid":\#(getpid()),"started":"2026-11-21T03:00:00Z"}"#
        try FileManager.default.createDirectory(
            atPath: workspace.repository + "/locks", withIntermediateDirectories: true)
        try holder.write(toFile: workspace.repository + "/locks/cluster-main.lock", atomically: true, encoding: .utf8)
        try lifeboat(["backup"], expect: 5)
        try FileManager.default.removeItem(atPath: workspace.repository + "/locks/cluster-main.lock")
        try lifeboat(["show", "20200101T000000Z-000000"], expect: 2)

        let written = try parseMetricsFile(file)
        XCTAssertEqual(
            Set(written.keys), Set(docs.metrics.keys),
            "docs/metrics.md and the metrics file differ: undocumented \(Set(written.keys).subtracting(docs.metrics.keys).sorted()), "
                + "never written \(Set(docs.metrics.keys).subtracting(written.keys).sorted())")
        for (name, family) in written {
            guard let documented = docs.metrics[name] else { continue }
            XCTAssertEqual(family.type, documented.type, "\(name): type")
            for sample in family.samples {
                XCTAssertEqual(Set(sample.labels.keys), documented.labels, "\(name): labels of \(sample.labels)")
                if let operation = sample.labels["operation"] {
                    XCTAssertTrue(
                        docs.operations.contains(operation), "operation '\(operation)' is not in docs/metrics.md's list"
                    )
                }
            }
        }
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            written[name]?.samples.first { sample in labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
        }
        XCTAssertEqual(value("lifeboat_wal_ready_files"), 2, "both .ready files were waiting when the push started")
        XCTAssertEqual(try XCTUnwrap(value("lifeboat_wal_ready_oldest_age_seconds")), 1_200, accuracy: 120)
        XCTAssertEqual(value("lifeboat_key_slots"), 2, "counted after key add")
        XCTAssertEqual(value("lifeboat_drill_cadence_seconds", ["drill": "smoke"]), 86_400)
        XCTAssertEqual(value("lifeboat_drill_last_passed", ["drill": "smoke"]), 1)
        XCTAssertEqual(value("lifeboat_operation_locked_total", ["operation": "backup"]), 1)
        XCTAssertEqual(value("lifeboat_operation_failures_total", ["operation": "backup"]), 1)
        XCTAssertEqual(value("lifeboat_operation_last_exit_status", ["operation": "backup"]), 5)
        XCTAssertEqual(value("lifeboat_operation_locked_total", ["operation": "show"]), 0)
        XCTAssertEqual(
            value("lifeboat_repository_stored_bytes", ["type": "logical"]),
            value("lifeboat_backup_last_stored_bytes", ["type": "logical"]), "one logical backup in the repository")
        XCTAssertEqual(value("lifeboat_repository_stored_bytes", ["type": "snapshot"]), 0)
        XCTAssertGreaterThan(try XCTUnwrap(value("lifeboat_repository_stored_bytes", ["type": "wal"])), 0)
    }

    // MARK: - helpers

    func assertDocumented(
        _ expr: String, _ docs: DocumentedMetrics, where place: String, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        let scan = PromQL.scan(Self.grafanaFree(expr))
        XCTAssertFalse(scan.metrics.isEmpty, "\(place): no metric in \(expr)", file: file, line: line)
        for metric in scan.metrics where docs.metrics[metric] == nil {
            XCTFail(
                "\(place): \(metric) is not a metric Lifeboat writes (docs/metrics.md): \(expr)", file: file, line: line
            )
        }
        let allLabels = docs.metrics.values.reduce(Self.scrapeLabels) { $0.union($1.labels) }
        for label in scan.groupingLabels where !allLabels.contains(label) {
            XCTFail("\(place): label \(label) is on no Lifeboat metric: \(expr)", file: file, line: line)
        }
        for matcher in scan.matchers {
            let labels =
                matcher.metric.flatMap { docs.metrics[$0]?.labels }.map { $0.union(Self.scrapeLabels) } ?? allLabels
            XCTAssertTrue(
                labels.contains(matcher.label),
                "\(place): \(matcher.metric ?? "?") has no label \(matcher.label): \(expr)", file: file, line: line)
            if matcher.label == "operation", matcher.op == "=" || matcher.op == "=~" {
                for value in matcher.value.split(separator: "|").map(String.init) where !docs.operations.contains(value)
                {
                    XCTFail(
                        "\(place): operation \"\(value)\" is not one Lifeboat writes (docs/metrics.md): \(expr)",
                        file: file, line: line)
                }
            }
        }
    }

    /// Grafana's variables replaced by what they stand for, so the query is plain PromQL.
    static func grafanaFree(_ expr: String) -> String {
        expr.replacingOccurrences(of: "$__rate_interval", with: "5m").replacingOccurrences(
            of: "$__interval", with: "1m"
        )
        .replacingOccurrences(of: "$__range", with: "1d").replacingOccurrences(of: "${cluster}", with: ".*")
        .replacingOccurrences(of: "$cluster", with: ".*")
    }

    func flatten(_ panels: [[String: Any]]) -> [[String: Any]] {
        panels.flatMap { [$0] + flatten($0["panels"] as? [[String: Any]] ?? []) }
    }

    struct AlertRule {
        var alert: String
        var expr: String
        var duration: String
        var labels: [String: String]
        var annotations: [String: String]
    }

    func alertRules() throws -> [AlertRule] {
        let object = try pythonJSON(
            """
            import json, sys, yaml
            doc = yaml.safe_load(open(sys.argv[1]))
            print(json.dumps([r for g in doc["groups"] for r in g["rules"]]))
            """, Self.monitoring + "/lifeboat.rules.yml")
        let rules = try XCTUnwrap(object as? [[String: Any]])
        return rules.map { rule in
            AlertRule(
                alert: rule["alert"] as? String ?? "", expr: rule["expr"] as? String ?? "",
                duration: rule["for"] as? String ?? "",
                labels: rule["labels"] as? [String: String] ?? [:],
                annotations: rule["annotations"] as? [String: String] ?? [:])
        }
    }

    /// (alert, whether alerts are expected) of every alert_rule_test.
    func ruleTestCases() throws -> [(alert: String, fires: Bool)] {
        let object = try pythonJSON(
            """
            import json, sys, yaml
            doc = yaml.safe_load(open(sys.argv[1]))
            print(json.dumps([[c["alertname"], bool(c.get("exp_alerts"))] for t in doc["tests"] for c in t.get("alert_rule_test", [])]))
            """, Self.monitoring + "/lifeboat.rules.test.yml")
        return try XCTUnwrap(object as? [[Any]]).map { ($0[0] as? String ?? "", $0[1] as? Bool ?? false) }
    }

    struct WrittenFamily {
        var type: String
        var samples: [(labels: [String: String], value: Double)]
    }

    /// Sample name → type and samples, as prometheus_client (the reference text-format parser) reads the file.
    func parseMetricsFile(_ path: String) throws -> [String: WrittenFamily] {
        let object = try pythonJSON(
            """
            import json, sys
            from prometheus_client.parser import text_string_to_metric_families
            out = {}
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    out.setdefault(s.name, {"type": family.type, "samples": []})["samples"].append([s.labels, s.value])
            print(json.dumps(out))
            """, path)
        let families = try XCTUnwrap(object as? [String: [String: Any]])
        return families.mapValues { family in
            WrittenFamily(
                type: family["type"] as? String ?? "",
                samples: (family["samples"] as? [[Any]] ?? []).map {
                    (($0[0] as? [String: String]) ?? [:], ($0[1] as? Double) ?? .nan)
                })
        }
    }

    /// Runs a tool found on PATH in `directory`.
    func run(_ arguments: [String], in directory: String) throws -> RunResult {
        let result = try ProcessRunner.run("/usr/bin/env", arguments, directory: directory)
        if result.status == 127 {
            XCTFail(
                "\(arguments[0]) is not on PATH: run scripts/setup.sh (it installs promtool from Debian's prometheus package)"
            )
        }
        return result
    }
}

/// docs/metrics.md's table (metric → type and labels) and its list of `operation` values.
struct DocumentedMetrics {
    var metrics: [String: (type: String, labels: Set<String>)] = [:]
    var operations: Set<String> = []

    static func load(_ path: String) throws -> DocumentedMetrics {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var docs = DocumentedMetrics()
        for line in text.split(separator: "\n").map(String.init) where line.hasPrefix("| `lifeboat_") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4 else { continue }
            let labels = Set(cells[2].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            for name in cells[0].matches(of: /`(lifeboat_[a-z0-9_]+)`/) {
                docs.metrics[String(name.1)] = (cells[1], labels)
            }
        }
        // "… the command, with `_` for spaces — `backup`, `check`, … `wal_push`." up to the paragraph's end.
        if let start = text.range(of: "with `_` for spaces —") {
            let paragraph = String(text[start.upperBound...]).components(separatedBy: "\n\n")[0]
            for name in paragraph.matches(of: /`([a-z_]+)`/) { docs.operations.insert(String(name.1)) }
        }
        XCTAssertGreaterThan(docs.metrics.count, 20, "docs/metrics.md's table was not found")
        XCTAssertTrue(
            docs.operations.isSuperset(of: ["backup", "wal_push", "status", "prune", "drill"]),
            "docs/metrics.md's operation list: \(docs.operations)")
        return docs
    }
}

/// Just enough of PromQL's lexical structure to find what a query names: metric names (identifiers that are not
/// functions, keywords or inside braces), label matchers with the selector they belong to, and the labels of
/// by/without/on/ignoring/group_left/group_right.
enum PromQL {
    struct Matcher {
        var metric: String?
        var label: String
        var op: String
        var value: String
    }

    struct Scan {
        var metrics: Set<String> = []
        var groupingLabels: [String] = []
        var matchers: [Matcher] = []
    }

    static let keywords: Set<String> = [
        "and", "or", "unless", "bool", "offset", "inf", "nan", "atan2",
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile",
    ]
    static let grouping: Set<String> = ["by", "without", "on", "ignoring", "group_left", "group_right"]

    static func scan(_ expr: String) -> Scan {
        var scan = Scan()
        let chars = Array(expr)
        var index = 0
        var lastMetric: String?
        func isStart(_ c: Character) -> Bool { c.isLetter || c == "_" || c == ":" }
        func isPart(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == ":" }
        func skipSpaces() { while index < chars.count, chars[index].isWhitespace { index += 1 } }
        func identifier() -> String {
            let start = index
            while index < chars.count, isPart(chars[index]) { index += 1 }
            return String(chars[start..<index])
        }
        func string() -> String {
            let quote = chars[index]
            index += 1
            var value = ""
            while index < chars.count, chars[index] != quote {
                if chars[index] == "\\", index + 1 < chars.count { index += 1 }
                value.append(chars[index])
                index += 1
            }
            index += 1
            return value
        }
        while index < chars.count {
            let c = chars[index]
            if c == "\"" || c == "'" || c == "`" {
                _ = string()
            } else if c == "[" {
                while index < chars.count, chars[index] != "]" { index += 1 }
                index += 1
            } else if c == "{" {
                index += 1
                while index < chars.count, chars[index] != "}" {
                    skipSpaces()
                    let label = identifier()
                    skipSpaces()
                    var op = ""
                    while index < chars.count, "=!~".contains(chars[index]) {
                        op.append(chars[index])
                        index += 1
                    }
                    skipSpaces()
                    let value = index < chars.count && "\"'`".contains(chars[index]) ? string() : ""
                    if label == "__name__", op == "=" {
                        scan.metrics.insert(value)
                    } else if !label.isEmpty {
                        scan.matchers.append(Matcher(metric: lastMetric, label: label, op: op, value: value))
                    }
                    skipSpaces()
                    if index < chars.count, chars[index] == "," { index += 1 }
                    if label.isEmpty, index < chars.count, chars[index] != "}" { index += 1 }  // malformed: move on
                }
                index += 1
                lastMetric = nil
            } else if c.isNumber || (c == "." && index + 1 < chars.count && chars[index + 1].isNumber) {
                while index < chars.count, chars[index].isLetter || chars[index].isNumber || chars[index] == "." {
                    index += 1
                }
                lastMetric = nil
            } else if c == "$" {
                index += 1
                _ = identifier()
            } else if isStart(c) {
                let word = identifier()
                let save = index
                skipSpaces()
                let next = index < chars.count ? chars[index] : " "
                if grouping.contains(word) {
                    if next == "(" {
                        index += 1
                        while index < chars.count, chars[index] != ")" {
                            skipSpaces()
                            let label = identifier()
                            if !label.isEmpty { scan.groupingLabels.append(label) }
                            skipSpaces()
                            if index < chars.count, chars[index] == "," || (label.isEmpty && chars[index] != ")") {
                                index += 1
                            }
                        }
                        index += 1
                    }
                    lastMetric = nil
                } else if next == "(" || keywords.contains(word.lowercased()) {
                    lastMetric = nil  // a function or an operator
                } else {
                    scan.metrics.insert(word)
                    lastMetric = word
                    index = save
                }
            } else {
                index += 1
                if !c.isWhitespace { lastMetric = nil }
            }
        }
        return scan
    }
}
