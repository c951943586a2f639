// FleetTests: the fleet views decided by the Engine on one in-memory repository holding three clusters — one
// within the objective with a passed drill, one beyond it, one with drill evidence but nothing recoverable:
// each cluster is discovered from the layout and judged on its own, the run takes the worst verdict, and a
// cluster that cannot be read is a row with its error instead of hiding the others.
import Drills
import Foundation
import Storage
import XCTest

@testable import Engine

final class FleetTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// alpha: a logical backup 10 minutes old and a passed drill; beta: one 2 hours old; gamma: a failed drill
    /// and no backup.
    func threeClusters() throws -> InMemoryHistory {
        let history = try InMemoryHistory(now: now)
        try history.logicalBackup(finishedAt: now.addingTimeInterval(-600), cluster: "alpha")
        try history.logicalBackup(finishedAt: now.addingTimeInterval(-7200), cluster: "beta")
        try history.drill("nightly-smoke", at: now.addingTimeInterval(-1800), verdict: .passed, cluster: "alpha")
        try history.drill("nightly-smoke", at: now.addingTimeInterval(-3600), verdict: .failed, cluster: "gamma")
        return history
    }

    func fleetStatus(_ history: InMemoryHistory) -> FleetStatusCheck {
        FleetStatusCheck(
            context: history.context, repository: history.catalog.repository,
            keyring: history.catalog.keyring, policies: history.policies)
    }

    func testClustersAreFoundFromTheLayout() throws {
        let history = try threeClusters()
        XCTAssertEqual(
            try ClusterDiscovery(repository: history.catalog.repository).clusters(),
            ["alpha", "beta", "gamma"])
    }

    func testStatusJudgesEachClusterAndTakesTheWorstVerdict() throws {
        let history = try threeClusters()
        let result = try fleetStatus(history).run(rpo: nil, at: nil)
        let rows = Dictionary(uniqueKeysWithValues: result.report.clusters.map { ($0.cluster, $0) })
        XCTAssertEqual(result.report.clusters.map(\.cluster), ["alpha", "beta", "gamma"])
        XCTAssertEqual(rows["alpha"]?.status, "ok")
        XCTAssertEqual(rows["alpha"]?.verdict, .passed)
        XCTAssertEqual(rows["alpha"]?.exposureSeconds ?? 0, 600, accuracy: 0.001)
        XCTAssertEqual(rows["alpha"]?.lastBackup(.logical)?.finishedAt, now.addingTimeInterval(-600))
        XCTAssertNil(rows["alpha"]?.lastBackup(.snapshot))
        XCTAssertEqual(rows["alpha"]?.lastDrill?.verdict, "passed")
        XCTAssertEqual(rows["beta"]?.status, "exceeded")
        XCTAssertEqual(rows["beta"]?.verdict, .objectiveNotMet)
        XCTAssertNil(rows["beta"]?.lastDrill)
        XCTAssertEqual(rows["gamma"]?.status, "nothing_recoverable")
        XCTAssertEqual(rows["gamma"]?.verdict, .failed)
        XCTAssertEqual(rows["gamma"]?.lastDrill?.verdict, "failed")
        XCTAssertEqual(result.verdict, .failed, "nothing recoverable is the worst of the three")
        XCTAssertEqual(result.report.status, "nothing_recoverable")
        XCTAssertEqual(result.report.objectiveSeconds, 900)
        XCTAssertEqual(result.report.objectiveSource, "default")
    }

    func testOneObjectiveForEveryCluster() throws {
        let history = try threeClusters()
        let result = try fleetStatus(history).run(rpo: 3 * 3600, at: nil)
        XCTAssertEqual(result.report.objectiveSource, "--rpo")
        XCTAssertEqual(result.report.clusters.map(\.status), ["ok", "ok", "nothing_recoverable"])
        XCTAssertEqual(result.verdict, .failed)
        let tight = try fleetStatus(history).run(rpo: 300, at: nil)
        XCTAssertEqual(tight.report.clusters.map(\.status), ["exceeded", "exceeded", "nothing_recoverable"])
        XCTAssertEqual(tight.report.objectiveSeconds, 300)
    }

    func testAClusterThatCannotBeReadIsARowNotTheEnd() throws {
        let history = try threeClusters()
        let beta = try history.catalog(for: "beta").manifests()[0]
        try history.tamper(try ObjectKey(RepositoryLayout.manifest(cluster: "beta", id: beta.id)))
        let result = try fleetStatus(history).run(rpo: nil, at: nil)
        let row = try XCTUnwrap(result.report.clusters.first { $0.cluster == "beta" })
        XCTAssertEqual(row.status, "error")
        XCTAssertNotNil(row.error)
        XCTAssertEqual(row.verdict, .integrityFailure)
        XCTAssertEqual(result.report.clusters.first { $0.cluster == "alpha" }?.status, "ok")
        XCTAssertEqual(result.verdict, .integrityFailure)
    }

    func testAnEmptyRepositoryHasNothingRecoverable() throws {
        let history = try InMemoryHistory(now: now)
        let result = try fleetStatus(history).run(rpo: nil, at: nil)
        XCTAssertTrue(result.report.clusters.isEmpty)
        XCTAssertEqual(result.verdict, .failed)
    }

    func testListingGroupsBackupsPerCluster() throws {
        let history = try threeClusters()
        try history.logicalBackup(finishedAt: now.addingTimeInterval(-300), cluster: "alpha")
        let result = try FleetListing(
            context: history.context, repository: history.catalog.repository,
            keyring: history.catalog.keyring
        ).run()
        XCTAssertEqual(result.listing.clusters.map(\.cluster), ["alpha", "beta", "gamma"])
        XCTAssertEqual(result.listing.clusters.map(\.backups.count), [2, 1, 0])
        XCTAssertTrue(result.listing.clusters[0].backups.allSatisfy { $0.finishedAt <= now })
    }

    func testReportJudgesEveryClusterWithTheConfiguredPolicy() throws {
        let history = try threeClusters()
        let reporting = FleetReporting(
            context: history.context, repository: history.catalog.repository,
            keyring: history.catalog.keyring, policies: history.policies)
        let outcome = try reporting.run(since: now.addingTimeInterval(-86_400), until: now, now: now, format: .json)
        XCTAssertEqual(outcome.clusters, ["alpha", "beta", "gamma"])
        XCTAssertEqual(outcome.report.reports.map(\.cluster), ["alpha", "beta", "gamma"])
        XCTAssertNil(outcome.report.policy, "no policy is configured")
        XCTAssertEqual(outcome.report.clusters.first { $0.cluster == "gamma" }?.lastDrill?.verdict, .failed)
        XCTAssertEqual(outcome.verdict == .passed, outcome.report.verdict.status != .notCompliant)
        XCTAssertTrue(outcome.text.contains("\"clusters\""), outcome.text)
    }

    func testTheWorstVerdictWins() {
        XCTAssertEqual(Verdict.worst([]), .passed)
        XCTAssertEqual(Verdict.worst([.passed, .objectiveNotMet, .passed]), .objectiveNotMet)
        XCTAssertEqual(Verdict.worst([.objectiveNotMet, .failed]), .failed)
        XCTAssertEqual(Verdict.worst([.error(.locked), .failed]), .error(.locked))
        XCTAssertEqual(Verdict.worst([.integrityFailure, .error(.usage), .objectiveNotMet]), .integrityFailure)
    }
}

extension InMemoryHistory {
    /// Sealed drill evidence of `cluster`, as a drill run records it.
    func drill(_ name: String, at: Date, verdict: DrillVerdict, cluster: String) throws {
        let evidence = DrillEvidence(
            id: BackupID.generate(at: at).rawValue, drill: name, definitionPath: "/etc/lifeboat/drills/\(name).yml",
            definitionDigest: String(repeating: "ab", count: 32), cluster: cluster,
            tool: ToolInfo(name: "lifeboat", version: "test", host: "memory"), incidentAt: at, startedAt: at,
            finishedAt: at.addingTimeInterval(120), target: "scratch cluster", backup: nil, recoveryPoint: nil,
            checks: [], phases: [], rtoSeconds: 120, rpoSeconds: 30,
            objectives: ObjectivesRecord(rpoSeconds: nil, rtoSeconds: nil, rpoSource: "none", rtoSource: "none"),
            cadenceSeconds: nil, verdict: verdict, reasons: verdict == .passed ? [] : ["a check failed"])
        let key = try ObjectKey(RepositoryLayout.drillRecord(cluster: cluster, id: evidence.id))
        try catalog.repository.putSealedRecord(evidence, at: key, with: catalog.keyring.current)
    }
}
