// The scheduling examples in scripts/schedule/ cannot rot: every lifeboat command line in the cron file, the
// systemd units and the Kubernetes CronJob is parsed by the built binary (it must get as far as looking for its
// configuration file), the systemd units pass `systemd-analyze verify`, and the CronJob is a valid YAML CronJob.
import Foundation
import TestSupport
import XCTest

final class ScheduleExamplesTests: XCTestCase {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/schedule").path

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: Self.directory + "/" + name, encoding: .utf8)
    }

    /// Argument lists of every `lifeboat …` invocation in a shell command line (`&&`, `;` and `||` separate).
    func invocations(_ command: String) -> [[String]] {
        command.replacingOccurrences(of: "&&", with: ";").replacingOccurrences(of: "||", with: ";").split(
            separator: ";"
        )
        .map { $0.split(separator: " ").map(String.init).filter { !$0.isEmpty } }
        .compactMap { words in
            guard let start = words.firstIndex(where: { $0 == "lifeboat" || $0.hasSuffix("/lifeboat") }) else {
                return nil
            }
            return Array(words[(start + 1)...].prefix { !$0.hasPrefix(">") && $0 != "[" })
        }
    }

    func assertParses(_ arguments: [String], from source: String, env: TestEnvironment) throws {
        // The configuration is replaced by a missing file: parsing must succeed and stop at reading it.
        var args = arguments
        if let index = args.firstIndex(of: "--config") {
            args.remove(at: index + 1)
            args.remove(at: index)
        }
        let result = try runLifeboat(env, ["--config", "/nonexistent/lifeboat.yml"] + args)
        XCTAssertEqual(result.status, 2, "\(source): \(arguments)")
        XCTAssertTrue(
            result.stderr.contains("/nonexistent/lifeboat.yml"),
            "\(source): `lifeboat \(arguments.joined(separator: " "))` did not parse: \(result.stderr)")
    }

    func testCronLinesParse() throws {
        let env = try TestEnvironment.require()
        let text = try read("lifeboat.cron")
        let lb = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("LB=") }).dropFirst(3)
        var count = 0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && line.contains("$LB") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            XCTAssertEqual(fields[5], "postgres", "cron.d lines name the user: \(line)")
            let command = fields[6...].joined(separator: " ").replacingOccurrences(of: "$LB", with: String(lb))
            for arguments in invocations(command) {
                try assertParses(arguments, from: "lifeboat.cron", env: env)
                count += 1
            }
        }
        XCTAssertGreaterThanOrEqual(count, 8)
    }

    func testSystemdUnitsVerifyAndTheirCommandsParse() throws {
        let env = try TestEnvironment.require()
        let units = try FileManager.default.contentsOfDirectory(atPath: Self.directory + "/systemd").sorted()
        XCTAssertEqual(units.filter { $0.hasSuffix(".timer") }.count, 4)
        XCTAssertGreaterThanOrEqual(try verifyUnits("systemd", units, env: env), 7)
    }

    /// The fleet's units: a templated backup unit and timer per cluster, and the fleet's status and report.
    func testFleetSystemdUnitsVerifyAndTheirCommandsParse() throws {
        let env = try TestEnvironment.require()
        let units = try FileManager.default.contentsOfDirectory(atPath: Self.directory + "/fleet/systemd").sorted()
        XCTAssertEqual(
            units,
            [
                "lifeboat-backup@.service", "lifeboat-backup@.timer", "lifeboat-fleet-report.service",
                "lifeboat-fleet-report.timer", "lifeboat-fleet-status.service",
                "lifeboat-fleet-status.timer",
            ])
        XCTAssertEqual(try verifyUnits("fleet/systemd", units, env: env), 5)
        XCTAssertTrue(try read("fleet/systemd/lifeboat-fleet-status.service").contains("status --all-clusters"))
        XCTAssertTrue(try read("fleet/systemd/lifeboat-fleet-report.service").contains("report --all-clusters"))
    }

    /// Parses every lifeboat command of `units` (in `subdirectory`) and runs `systemd-analyze verify` on copies
    /// that call the built binary (a template unit is verified with an instance of its own); returns how many
    /// commands were parsed.
    func verifyUnits(_ subdirectory: String, _ units: [String], env: TestEnvironment) throws -> Int {
        let copy = NSTemporaryDirectory() + "units-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        var count = 0
        for unit in units {
            let text = try read(subdirectory + "/" + unit)
            try text.replacingOccurrences(of: "/usr/local/bin/lifeboat", with: env.binary).write(
                toFile: copy + "/" + unit, atomically: true, encoding: .utf8)
            let arguments =
                text.split(separator: "\n").first { $0.hasPrefix("Environment=LB_ARGS=") }
                .map {
                    String($0.dropFirst("Environment=LB_ARGS=".count)).trimmingCharacters(
                        in: CharacterSet(charactersIn: "\""))
                } ?? ""
            for line in text.split(separator: "\n") where line.hasPrefix("Exec") {
                let command = String(line.drop { $0 != "=" }.dropFirst()).replacingOccurrences(
                    of: "$LB_ARGS", with: arguments
                )
                .replacingOccurrences(of: "'", with: "").replacingOccurrences(of: "%i", with: "main")
                for invocation in invocations(command) {
                    try assertParses(invocation, from: unit, env: env)
                    count += 1
                }
            }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        process.arguments = ["verify", "--man=no"] + units.map { copy + "/" + $0 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertEqual(
            text.trimmingCharacters(in: .whitespacesAndNewlines), "", "systemd-analyze verify found problems")
        return count
    }

    func testKubernetesCronJobIsValidAndItsCommandsParse() throws {
        let env = try TestEnvironment.require()
        let script = """
            import json, sys, yaml
            doc = yaml.safe_load(open(sys.argv[1]))
            spec = doc["spec"]["jobTemplate"]["spec"]
            container = spec["template"]["spec"]["containers"][0]
            print(json.dumps({"kind": doc["kind"], "api": doc["apiVersion"], "concurrency": doc["spec"]["concurrencyPolicy"],
                              "restart": spec["template"]["spec"]["restartPolicy"], "args": container["args"][0],
                              "rules": spec["podFailurePolicy"]["rules"]}))
            """
        let job = try XCTUnwrap(try pythonJSON(script, Self.directory + "/kubernetes/cronjob.yaml") as? [String: Any])
        XCTAssertEqual(job["kind"] as? String, "CronJob")
        XCTAssertEqual(job["api"] as? String, "batch/v1")
        XCTAssertEqual(job["concurrency"] as? String, "Forbid")
        XCTAssertEqual(job["restart"] as? String, "Never", "podFailurePolicy needs restartPolicy Never")
        let rules = try XCTUnwrap(job["rules"] as? [[String: Any]])
        XCTAssertEqual(rules.compactMap { ($0["onExitCodes"] as? [String: Any])?["values"] as? [Int] }, [[2, 4], [5]])
        let invocations = invocations(try XCTUnwrap(job["args"] as? String))
        XCTAssertEqual(invocations.count, 2)
        for arguments in invocations { try assertParses(arguments, from: "cronjob.yaml", env: env) }
    }

    /// The receiver's Deployment: one replica, never two at once (Recreate), and a command that parses.
    func testKubernetesReceiverDeploymentIsValidAndItsCommandParses() throws {
        let env = try TestEnvironment.require()
        let script = """
            import json, sys, yaml
            doc = yaml.safe_load(open(sys.argv[1]))
            pod = doc["spec"]["template"]["spec"]
            print(json.dumps({"kind": doc["kind"], "api": doc["apiVersion"], "replicas": doc["spec"]["replicas"],
                              "strategy": doc["spec"]["strategy"]["type"], "args": pod["containers"][0]["args"][0]}))
            """
        let deployment = try XCTUnwrap(
            try pythonJSON(script, Self.directory + "/kubernetes/wal-receive.yaml") as? [String: Any])
        XCTAssertEqual(deployment["kind"] as? String, "Deployment")
        XCTAssertEqual(deployment["api"] as? String, "apps/v1")
        XCTAssertEqual(deployment["replicas"] as? Int, 1)
        XCTAssertEqual(deployment["strategy"] as? String, "Recreate", "two receivers must never run at once")
        let invocations = invocations(try XCTUnwrap(deployment["args"] as? String))
        XCTAssertEqual(invocations.map { Array($0.suffix(2)) }, [["wal", "receive"]])
        for arguments in invocations { try assertParses(arguments, from: "wal-receive.yaml", env: env) }
    }

    /// One CronJob per cluster for its backups, and the fleet's status and report CronJobs.
    func testFleetKubernetesCronJobsAreValidAndTheirCommandsParse() throws {
        let env = try TestEnvironment.require()
        let script = """
            import json, sys, yaml
            jobs = []
            for doc in yaml.safe_load_all(open(sys.argv[1])):
                spec = doc["spec"]["jobTemplate"]["spec"]
                jobs.append({"kind": doc["kind"], "api": doc["apiVersion"], "name": doc["metadata"]["name"],
                             "concurrency": doc["spec"]["concurrencyPolicy"],
                             "restart": spec["template"]["spec"]["restartPolicy"],
                             "args": spec["template"]["spec"]["containers"][0]["args"][0],
                             "rules": spec["podFailurePolicy"]["rules"]})
            print(json.dumps(jobs))
            """
        let jobs = try XCTUnwrap(
            try pythonJSON(script, Self.directory + "/fleet/kubernetes/cronjobs.yaml") as? [[String: Any]])
        XCTAssertEqual(
            jobs.map { $0["name"] as? String },
            [
                "lifeboat-backup-orders", "lifeboat-fleet-status",
                "lifeboat-fleet-report",
            ])
        var arguments: [[String]] = []
        for job in jobs {
            XCTAssertEqual(job["kind"] as? String, "CronJob")
            XCTAssertEqual(job["api"] as? String, "batch/v1")
            XCTAssertEqual(job["concurrency"] as? String, "Forbid")
            XCTAssertEqual(job["restart"] as? String, "Never", "podFailurePolicy needs restartPolicy Never")
            let rules = try XCTUnwrap(job["rules"] as? [[String: Any]])
            let codes = rules.compactMap { ($0["onExitCodes"] as? [String: Any])?["values"] as? [Int] }
            XCTAssertEqual(codes, [[2, 4], [5]])
            arguments += invocations(try XCTUnwrap(job["args"] as? String))
        }
        XCTAssertEqual(arguments.count, 4)
        XCTAssertTrue(arguments.contains { $0.contains("status") && $0.contains("--all-clusters") })
        XCTAssertTrue(arguments.contains { $0.contains("report") && $0.contains("--all-clusters") })
        for invocation in arguments { try assertParses(invocation, from: "fleet/kubernetes/cronjobs.yaml", env: env) }
    }
}
