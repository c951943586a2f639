// The fault suite's fast part (docs/faults.md): a logical backup is run with a fault (SIGKILL, SIGTERM, an I/O
// error) at every failpoint it reaches, on a file:// repository, and after each: a run that exited 0 is listed;
// every listed backup verifies, and one that committed under the fault restores with equal rows; the next
// backup succeeds (no stale lock); the next prune removes every leftover; no lock or temporary file remains.
import Foundation
import PGClient
import XCTest

final class FaultInjectionTests: XCTestCase {
    static let policy = """
        name: faults
        safety: { min_age: 1s, min_complete: 1 }
        keep:
          logical: { last: 2 }
        """

    func testLogicalBackupKeepsEveryGuaranteeUnderAFaultAtEveryPoint() throws {
        let env = try TestEnvironment.require()
        let source = TestEnvironment.uniqueName("faults")
        defer { SampleDatabase.drop(env, source) }
        try SampleDatabase.create(env, name: source, rows: 300)
        let workspace = try Workspace(env, name: "faults")
        try workspace.initialize(database: source)
        try Self.policy.write(toFile: workspace.directory + "/retention.yml", atomically: true, encoding: .utf8)
        try workspace.writeConfig(database: source, extra: "policy: retention.yml")
        var restores = 0

        let scenario = FaultScenario(name: "logical backup (file)", run: { environment in
            try workspace.lifeboat(["backup", "--database", source, "--json"], environment: environment)
        }, check: { faultCase, result in
            var broken: [String] = []
            let listed = try workspace.listedIDs()
            guard let listed else { return FaultVerdict(broken: ["list fails after the fault"]) }
            let committedID = result.status == 0 ? (try? workspace.json(result))?["id"] as? String : nil
            if result.status == 0 && !(committedID.map(listed.contains) ?? false) {
                broken.append("the run exited 0 but its backup is not listed")
            }
            // A backup that committed under the fault (or whose commit was settled by reading back) restores.
            if faultCase.point.hasPrefix("backup.manifest.after") || faultCase.point == "lock.release.before", let newest = listed.last {
                restores += 1
                let target = TestEnvironment.uniqueName("faultrestore")
                defer { SampleDatabase.drop(env, target) }
                let restored = try workspace.lifeboat(["restore", newest, "--target", env.url(database: target)])
                if restored.status != 0 {
                    broken.append("restore of listed backup \(newest) exits \(restored.status): \(restored.stderr)")
                } else if try SampleDatabase.fingerprints(env, database: target) != SampleDatabase.fingerprints(env, database: source) {
                    broken.append("restore of listed backup \(newest) has different rows")
                }
            }
            // Right after a kill the dead run's lock and temporary files are expected; the next run clears them.
            broken += try workspace.quiescentProblems(afterPrune: false)
                .filter { !$0.hasPrefix(Workspace.lockLeak) && !$0.hasPrefix(Workspace.temporaryLeak) }
            Thread.sleep(forTimeInterval: 1.05)   // backup ids are per second
            let next = try workspace.lifeboat(["backup", "--database", source])
            if next.status != 0 { broken.append("the next backup exits \(next.status): \(next.stderr)") }
            Thread.sleep(forTimeInterval: 1.05)   // past min_age
            let pruned = try workspace.lifeboat(["prune"])
            if pruned.status != 0 { broken.append("the next prune exits \(pruned.status): \(pruned.stderr)") }
            broken += try workspace.quiescentProblems(afterPrune: true)
            return FaultVerdict(broken: broken, backupsChecked: listed.count)
        })
        let count = try FaultSuite.exercise(scenario, scratch: workspace.directory, requiredPoints: [
            "lock.acquire.after", "backup.object.before", "backup.object.after", "backup.manifest.before",
            "backup.manifest.after", "lock.release.before"])
        XCTAssertGreaterThanOrEqual(count, 27)
        XCTAssertGreaterThanOrEqual(restores, 6)
    }
}
