// RelationPathTests: only relation files in relation directories are delta entries; any other name with a delta
// prefix is an ordinary file (docs/format.md §6.5), and backup_label loses only the INCREMENTAL lines.
import XCTest

@testable import Reconstruction

final class RelationPathTests: XCTestCase {
    func target(_ path: String, _ form: DeltaForm = .lbdelta, tablespace: Bool = false) -> String? {
        RelationPath.deltaTarget(path.split(separator: "/").map(String.init), form: form, inTablespace: tablespace)
    }

    func testDeltaTargets() {
        XCTAssertEqual(target("base/5/LBDELTA.16384"), "16384")
        XCTAssertEqual(target("base/5/INCREMENTAL.16384.2", .incremental), "16384.2")
        XCTAssertEqual(target("global/INCREMENTAL.1262_vm", .incremental), "1262_vm")
        XCTAssertEqual(target("PG_15_202209061/5/LBDELTA.16390_fsm.1", tablespace: true), "16390_fsm.1")
        XCTAssertEqual(target("base/5/LBDELTA.16384_init"), "16384_init")
    }

    func testOrdinaryFilesWithADeltaPrefix() {
        XCTAssertNil(target("base/5/INCREMENTAL.16384"), "the other form")
        XCTAssertNil(target("base/5/16384"))
        XCTAssertNil(target("LBDELTA.16384"), "not in a relation directory")
        XCTAssertNil(target("pg_xact/LBDELTA.0000"))
        XCTAssertNil(target("base/x5/LBDELTA.1"))
        XCTAssertNil(target("base/5/6/LBDELTA.1"))
        XCTAssertNil(target("base/5/LBDELTA.pg_internal.init"))
        XCTAssertNil(target("base/5/LBDELTA.1_xx"))
        XCTAssertNil(target("base/5/LBDELTA."))
        XCTAssertNil(target("base/5/LBDELTA.1."))
        XCTAssertNil(target("PG_15_202209061/5/LBDELTA.16390"), "a version directory only in a tablespace's archive")
        XCTAssertNil(target("base/5/LBDELTA.16390", tablespace: true), "base/ only in the data directory's")
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
