// RelationPathTests: only relation files in relation directories are delta entries; any other name with a delta
// prefix is an ordinary file (docs/format.md §6.5), and backup_label loses only the INCREMENTAL lines.
import XCTest

@testable import Reconstruction

final class RelationPathTests: XCTestCase {
    func split(_ path: String) -> [String] { path.split(separator: "/").map(String.init) }

    func testDeltaTargets() {
        XCTAssertEqual(RelationPath.deltaTarget(split("base/5/LBDELTA.16384"), form: .lbdelta), "16384")
        XCTAssertEqual(RelationPath.deltaTarget(split("base/5/INCREMENTAL.16384.2"), form: .incremental), "16384.2")
        XCTAssertEqual(RelationPath.deltaTarget(split("global/INCREMENTAL.1262_vm"), form: .incremental), "1262_vm")
        XCTAssertEqual(
            RelationPath.deltaTarget(split("PG_15_202209061/5/LBDELTA.16390_fsm.1"), form: .lbdelta), "16390_fsm.1")
        XCTAssertEqual(RelationPath.deltaTarget(split("base/5/LBDELTA.16384_init"), form: .lbdelta), "16384_init")
    }

    func testOrdinaryFilesWithADeltaPrefix() {
        XCTAssertNil(RelationPath.deltaTarget(split("base/5/INCREMENTAL.16384"), form: .lbdelta), "the other form")
        XCTAssertNil(RelationPath.deltaTarget(split("base/5/16384"), form: .lbdelta))
        XCTAssertNil(RelationPath.deltaTarget(split("LBDELTA.16384"), form: .lbdelta), "not in a relation directory")
        XCTAssertNil(RelationPath.deltaTarget(split("pg_xact/LBDELTA.0000"), form: .lbdelta))
        XCTAssertNil(RelationPath.deltaTarget(split("base/x5/LBDELTA.1"), form: .lbdelta))
        XCTAssertNil(RelationPath.deltaTarget(split("base/5/6/LBDELTA.1"), form: .lbdelta))
        XCTAssertNil(RelationPath.deltaTarget(split("base/5/LBDELTA.pg_internal.init"), form: .lbdelta))
        XCTAssertNil(RelationPath.deltaTarget(split("base/5/LBDELTA.1_xx"), form: .lbdelta))
        XCTAssertNil(RelationPath.deltaTarget(split("base/5/LBDELTA."), form: .lbdelta))
        XCTAssertNil(RelationPath.deltaTarget(split("base/5/LBDELTA.1."), form: .lbdelta))
        XCTAssertNil(RelationPath.deltaTarget(split("PG_/5/LBDELTA.1"), form: .lbdelta))
        XCTAssertNil(RelationPath.deltaTarget(split("base/5/LBDELTA.12345678901"), form: .lbdelta), "not an OID")
    }

    func testBackupLabelLosesOnlyTheIncrementalLines() {
        let label = """
            START WAL LOCATION: 0/9000028 (file 000000010000000000000009)
            CHECKPOINT LOCATION: 0/9000080
            BACKUP METHOD: streamed
            INCREMENTAL FROM LSN: 0/5000028
            INCREMENTAL FROM TLI: 1
            START TIMELINE: 1

            """
        let cleaned = String(decoding: BackupLabelText.removingIncrementalLines(Array(label.utf8)), as: UTF8.self)
        XCTAssertEqual(
            cleaned,
            """
            START WAL LOCATION: 0/9000028 (file 000000010000000000000009)
            CHECKPOINT LOCATION: 0/9000080
            BACKUP METHOD: streamed
            START TIMELINE: 1

            """)
        XCTAssertEqual(BackupLabelText.removingIncrementalLines(Array("no newline".utf8)), Array("no newline".utf8))
    }

    func testDeltaFormFollowsTheMethod() {
        XCTAssertEqual(DeltaForm(method: .pageLSN), .lbdelta)
        XCTAssertEqual(DeltaForm(method: .walSummary), .incremental)
    }
}
