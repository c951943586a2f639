// FaultSupport: drives a command through every failpoint it reaches (docs/faults.md). A traced run names the
// points and how often each is reached; then the command runs once per (point, occurrence, action) with that
// fault armed, and the scenario's invariants are checked after each. Every case is appended as one JSON line
// to $LIFEBOAT_FAULTS_REPORT when set, which scripts/faults.sh turns into its table.
import Foundation
import TestSupport
import XCTest

struct FaultCase: CustomStringConvertible {
    let point: String
    let nth: Int
    let action: String

    var specification: String { "\(point)=\(nth)*\(action)" }
    var description: String { specification }
}

/// A command under faults: how to run it, and what must hold after a run that died or failed at a point.
struct FaultScenario {
    let name: String
    /// Runs the command with extra environment (the failpoint variables).
    let run: ([String: String]) throws -> RunResult
    /// Broken guarantees after `faultCase` (empty when all hold); also brings the repository back to a state
    /// from which the next case starts (the next run, prune, ...).
    let check: (FaultCase, RunResult) throws -> FaultVerdict
}

struct FaultVerdict {
    var broken: [String] = []
    /// Listed backups verified (and restored, where the scenario does) after the fault.
    var backupsChecked = 0
}

enum FaultSuite {
    /// Actions in the fast subset (scripts/test.sh); LIFEBOAT_FAULTS_FULL=1 adds none today but widens scenarios.
    static let actions = ["kill", "term", "eio"]
    static var full: Bool { ProcessInfo.processInfo.environment["LIFEBOAT_FAULTS_FULL"] == "1" }

    /// The points a run reaches, each with how many times, in first-reached order.
    static func trace(_ scenario: FaultScenario, scratch: String) throws -> [(String, Int)] {
        let file = scratch + "/trace-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let traced = try scenario.run(["LIFEBOAT_FAILPOINTS_TRACE": file])
        XCTAssertEqual(traced.status, 0, "the traced run of \(scenario.name) failed: \(traced.output)")
        let lines = ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        var order: [String] = []
        var counts: [String: Int] = [:]
        for line in lines {
            if counts[line] == nil { order.append(line) }
            counts[line, default: 0] += 1
        }
        return order.map { ($0, counts[$0]!) }
    }

    /// Every occurrence of every traced point, with each action. A point in a loop is tried at its first, second
    /// and last occurrence; only at its first where `firstOnly` says so (per-file points in the fast subset).
    /// In the fast subset the later occurrences get `kill` alone: a kill there finds more work half done than at
    /// the first, while `term` and `eio` take the same error path at every occurrence (the full suite tries all).
    static func cases(
        _ points: [(String, Int)], actions: [String] = actions, firstOnly: (String) -> Bool = { _ in false }
    ) -> [FaultCase] {
        points.flatMap { point, count -> [FaultCase] in
            let occurrences = firstOnly(point) ? [1] : Array(Set([1, min(2, count), count])).sorted()
            return occurrences.flatMap { nth -> [FaultCase] in
                let tried = full || nth == 1 || !actions.contains("kill") ? actions : ["kill"]
                return tried.map { FaultCase(point: point, nth: nth, action: $0) }
            }
        }
    }

    /// Runs every case, checks, records; returns the number of cases run. Fails the test on any broken guarantee.
    @discardableResult
    static func exercise(
        _ scenario: FaultScenario, scratch: String, actions: [String] = actions,
        requiredPoints: [String] = [], only: ((String) -> Bool)? = nil,
        firstOnly: @escaping (String) -> Bool = { _ in false },
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> Int {
        let points = try trace(scenario, scratch: scratch).filter { only?($0.0) ?? true }
        let reached = Set(points.map(\.0))
        for point in requiredPoints where !reached.contains(point) {
            XCTFail("\(scenario.name) never reached failpoint '\(point)'", file: file, line: line)
        }
        let all = cases(points, actions: actions, firstOnly: firstOnly)
        for faultCase in all {
            let result = try scenario.run(["LIFEBOAT_FAILPOINTS": faultCase.specification])
            let verdict = try scenario.check(faultCase, result)
            record(scenario: scenario.name, faultCase: faultCase, status: result.status, verdict: verdict)
            XCTAssertEqual(
                verdict.broken, [], "\(scenario.name) with \(faultCase) (exit \(result.status)): \(result.stderr)",
                file: file, line: line)
        }
        return all.count
    }

    static func record(scenario: String, faultCase: FaultCase, status: Int32, verdict: FaultVerdict) {
        guard let path = ProcessInfo.processInfo.environment["LIFEBOAT_FAULTS_REPORT"] else { return }
        let row: [String: Any] = [
            "suite": "failpoints", "scenario": scenario, "point": faultCase.point, "nth": faultCase.nth,
            "action": faultCase.action, "status": Int(status), "broken": verdict.broken,
            "backups_checked": verdict.backupsChecked,
            "leaked_locks": verdict.broken.filter { $0.hasPrefix(Workspace.lockLeak) }.count,
            "leaked_temporaries": verdict.broken.filter { $0.hasPrefix(Workspace.temporaryLeak) }.count,
        ]
        appendJSONLine(row, to: path)
    }

    static func appendJSONLine(_ row: [String: Any], to path: String) {
        guard var data = try? JSONSerialization.data(withJSONObject: row, options: [.sortedKeys]) else { return }
        data.append(0x0A)
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        handle.seekToEndOfFile()
        handle.write(data)
        handle.closeFile()
    }
}

/// Repository-level invariants shared by scenarios on a file:// repository.
extension Workspace {
    static let lockLeak = "locks left"
    static let temporaryLeak = "temporary files left"

    /// Listed backup ids (nil when list itself fails: that is a broken guarantee too).
    func listedIDs() throws -> [String]? {
        let listed = try lifeboat(["list", "--json"])
        guard listed.status == 0, let object = try? json(listed) else { return nil }
        return (object["backups"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
    }

    /// What must hold with no run in flight: every listed backup verifies, no lock, no temporary file (after
    /// the next run swept them), every backup directory has a manifest once prune ran.
    func quiescentProblems(afterPrune: Bool) throws -> [String] {
        var problems: [String] = []
        let verify = try lifeboat(["verify", "--all"])
        if verify.status != 0 { problems.append("verify --all exits \(verify.status): \(verify.stderr)") }
        let locks = (try? FileManager.default.contentsOfDirectory(atPath: repository + "/locks")) ?? []
        if !locks.isEmpty { problems.append("\(Self.lockLeak): \(locks)") }
        let temporaries = (try? FileManager.default.contentsOfDirectory(atPath: repository + "/.tmp")) ?? []
        if !temporaries.isEmpty { problems.append("\(Self.temporaryLeak): \(temporaries)") }
        if afterPrune {
            let clusterDirectory = repository + "/backups/main"
            // A local store leaves the emptied directory of a deleted backup; only objects count.
            for id in (try? FileManager.default.contentsOfDirectory(atPath: clusterDirectory)) ?? []
            where !FileManager.default.fileExists(atPath: clusterDirectory + "/\(id)/manifest.lbx")
                && !((try? FileManager.default.contentsOfDirectory(atPath: clusterDirectory + "/\(id)")) ?? []).isEmpty
            {
                problems.append("prune left the leftover backup directory \(id)")
            }
        }
        return problems
    }
}
