// prune against WAL pushes committing while it runs, interleaved deterministically with failpoint `stop`:
// prune is frozen right after it listed the repository (prune.journal.before), a push commits, prune carries on.
// An object a record names is never deleted, whatever the listing said; an object no record names goes only once
// it is older than the grace period (a push in flight has a young object), and a fresh one stays.
import Foundation
import XCTest

final class PruneWALRaceTests: XCTestCase {
    var env: TestEnvironment!
    let hours: TimeInterval = 3600

    override func setUpWithError() throws {
        env = try TestEnvironment.require()
    }

    func workspace(_ name: String) throws -> Workspace {
        let workspace = try Workspace(env, name: name)
        try workspace.initialize()
        try workspace.writePolicy(PruneTests.policy)
        return workspace
    }

    func frozenPrune(_ workspace: Workspace) throws -> LifeboatProcess {
        let prune = try LifeboatProcess(
            env, ["--config", workspace.configPath, "--no-progress", "prune"],
            environment: ["LIFEBOAT_FAILPOINTS": "prune.journal.before=stop"])
        try prune.waitUntilStopped()
        return prune
    }

    /// A push died long ago between object and record; PostgreSQL's retry commits while prune runs.
    func testRetryCommittingDuringPruneKeepsItsObjectAndOnlyOldLeftoversGo() throws {
        let workspace = try workspace("prunerace")
        let segments = try WALSegmentFiles(env)
        let pgWAL = workspace.directory + "/pg_wal"
        let retried = WALSegmentFiles.name(0x0D00)
        let inFlight = WALSegmentFiles.name(0x0D01)
        for number: UInt64 in [0x0D00, 0x0D01] {
            let died = try workspace.lifeboat(
                ["wal", "push", try segments.write(number, into: pgWAL)],
                environment: ["LIFEBOAT_FAILPOINTS": "wal.record.before=kill"])
            XCTAssertEqual(died.signal, SIGKILL, died.output)
        }
        let oldLeftovers = try workspace.walObjects(retried)
        try workspace.backdate(oldLeftovers, by: 2 * hours)
        let youngLeftovers = try workspace.walObjects(inFlight)
        XCTAssertEqual(oldLeftovers.count, 1)
        XCTAssertEqual(youngLeftovers.count, 1)

        let prune = try frozenPrune(workspace)
        let retry = try workspace.lifeboat(["wal", "push", pgWAL + "/" + retried])
        XCTAssertEqual(retry.status, 0, retry.output)
        prune.resume()
        let pruned = prune.wait()
        XCTAssertEqual(pruned.status, 0, pruned.output)

        let (get, bytes) = try workspace.walGet(retried)
        XCTAssertEqual(get.status, 0, "prune deleted the object of a file committed while it ran: " + get.output)
        XCTAssertEqual(bytes, segments.bytes(0x0D00))
        let verified = try workspace.lifeboat(["verify", "--wal"])
        XCTAssertEqual(verified.status, 0, verified.output)
        XCTAssertEqual(try workspace.walObjects(retried).count, 1, "the committed object stays, the old leftover goes")
        XCTAssertEqual(
            try workspace.walObjects(inFlight), youngLeftovers,
            "a young object without a record may be a push in flight")
    }

    /// A push stalled between its upload and its record for longer than the grace period, and commits while
    /// prune runs: prune looks at the record again right before deleting, and finds it naming the object.
    func testStalledPushCommittingDuringPruneKeepsItsObject() throws {
        let workspace = try workspace("prunestall")
        let segments = try WALSegmentFiles(env)
        let name = WALSegmentFiles.name(0x0E00)
        let path = try segments.write(0x0E00, into: workspace.directory + "/pg_wal")
        let push = try LifeboatProcess(
            env, ["--config", workspace.configPath, "--no-progress", "wal", "push", path],
            environment: ["LIFEBOAT_FAILPOINTS": "wal.record.before=stop"])
        try push.waitUntilStopped()
        let objects = try workspace.walObjects(name)
        XCTAssertEqual(objects.count, 1)
        try workspace.backdate(objects, by: 2 * hours)

        let prune = try frozenPrune(workspace)
        push.resume()
        let pushed = push.wait()
        XCTAssertEqual(pushed.status, 0, pushed.output)
        prune.resume()
        let pruned = prune.wait()
        XCTAssertEqual(pruned.status, 0, pruned.output)

        let (get, bytes) = try workspace.walGet(name)
        XCTAssertEqual(get.status, 0, "prune deleted the object of a file committed while it ran: " + get.output)
        XCTAssertEqual(bytes, segments.bytes(0x0E00))
        XCTAssertEqual(try workspace.lifeboat(["verify", "--wal"]).status, 0)
    }
}
