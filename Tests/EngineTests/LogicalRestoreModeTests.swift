// LogicalRestoreModeTests: which backups restore in parallel, and what the plan says about it. Only a
// directory-format dump (backup --jobs) can feed pg_restore's workers without a local copy; a custom-format dump
// restores with one job whatever --jobs says, and the plan names the reason.
import Catalog
import XCTest

@testable import Engine

final class LogicalRestoreModeTests: XCTestCase {
    static let custom = DatabaseRecord(
        name: "shop", object: "db-0001.tar.zst.lbx", dumpFormat: DatabaseRecord.customFormat, tables: [])
    static let directory = DatabaseRecord(
        name: "shop", object: "db-0001.tar.zst.lbx", dumpFormat: DatabaseRecord.directoryFormat, tables: [],
        files: [DumpFileRecord(name: "3352.dat", object: "db-0001-3352.dat.tar.zst.lbx", size: 10)])

    static func request(jobs: Int) -> LogicalRestoreRequest {
        LogicalRestoreRequest(
            reference: "latest", database: nil, target: nil, jobs: jobs, clean: false, globals: false, noOwner: false)
    }

    func testOnlyDirectoryDumpsRestoreInParallel() {
        XCTAssertEqual(LogicalRestore.mode(Self.request(jobs: 1), Self.custom), "stream")
        XCTAssertEqual(LogicalRestore.mode(Self.request(jobs: 4), Self.custom), "stream")
        XCTAssertEqual(LogicalRestore.mode(Self.request(jobs: 1), Self.directory), "stream")
        XCTAssertEqual(LogicalRestore.mode(Self.request(jobs: 2), Self.directory), "parallel")
    }

    func testThePlanSaysWhyACustomFormatBackupRestoresWithOneJob() {
        let steps = LogicalRestore.loadSteps(
            "stream", request: Self.request(jobs: 4), record: Self.custom, objectBytes: 1)
        XCTAssertEqual(steps.count, 3)
        XCTAssertTrue(steps[0].hasPrefix("authenticate 'db-0001.tar.zst.lbx'"), steps[0])
        XCTAssertTrue(steps[2].contains("one job, not 4"), steps[2])
        let one = LogicalRestore.loadSteps(
            "stream", request: Self.request(jobs: 1), record: Self.custom, objectBytes: 1)
        XCTAssertEqual(one.count, 2)
        let parallel = LogicalRestore.loadSteps(
            "parallel", request: Self.request(jobs: 2), record: Self.directory, objectBytes: 1)
        XCTAssertEqual(parallel.count, 1)
        XCTAssertTrue(parallel[0].hasPrefix("pg_restore --jobs 2"), parallel[0])
        XCTAssertTrue(parallel[0].contains("the 2 objects of 'shop'"), parallel[0])
        XCTAssertTrue(parallel[0].contains("nothing is copied to local disk"), parallel[0])
    }
}
