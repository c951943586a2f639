import Catalog
import Foundation
import XCTest

final class DumpFileRecordTests: XCTestCase {
    func testOnlyTheFileNamesPgDumpWritesAreAccepted() {
        for good in ["3352.dat", "1.dat", "blob_16403.dat", "blobs.toc", "blobs_3357.toc"] {
            XCTAssertTrue(DumpFileRecord.isDataFileName(good), good)
        }
        for bad in [
            "toc.dat", "", ".dat", "blob_.dat", "blobs_.toc", "3352.dat.gz", "3352.dat.zst", "../3352.dat",
            "a/3352.dat", "3352.DAT", "x3352.dat", "blob_12a.dat", "blobs.toc.1", "3352 .dat",
            String(repeating: "9", count: 21) + ".dat",
        ] {
            XCTAssertFalse(DumpFileRecord.isDataFileName(bad), bad)
        }
        XCTAssertTrue(DumpFileRecord.isListFileName("blobs_3357.toc"))
        XCTAssertFalse(DumpFileRecord.isListFileName("3352.dat"))
    }

    func testFileObjectsAreNamedAfterTheirDatabaseAndFile() throws {
        XCTAssertEqual(
            RepositoryLayout.databaseFileObjectName(index: 3, file: "blob_16403.dat", compressed: true),
            "db-0003-blob_16403.dat.tar.zst.lbx")
        XCTAssertEqual(
            RepositoryLayout.databaseFileObjectName(index: 12, file: "3352.dat", compressed: false),
            "db-0012-3352.dat.tar.lbx")
    }

    func testDirectoryRecordsRoundTripAndListEveryObject() throws {
        let record = DatabaseRecord(
            name: "shop", object: "db-0001.tar.zst.lbx", dumpFormat: DatabaseRecord.directoryFormat,
            tables: [TableCount(schema: "public", table: "t", rows: 3)],
            files: [DumpFileRecord(name: "3352.dat", object: "db-0001-3352.dat.tar.zst.lbx", size: 42)])
        let data = try CatalogCoding.encoder().encode(record)
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\"dump_format\":\"pg_dump-directory\""), text)
        XCTAssertTrue(text.contains("\"files\":[{"), text)
        XCTAssertEqual(try CatalogCoding.decoder().decode(DatabaseRecord.self, from: data), record)
        XCTAssertTrue(record.isDirectoryDump)
        XCTAssertEqual(record.objects, ["db-0001.tar.zst.lbx", "db-0001-3352.dat.tar.zst.lbx"])

        // A custom-format record (every backup made with one job, and all older ones) has no files.
        let old = try CatalogCoding.decoder().decode(
            DatabaseRecord.self,
            from: Data(
                #"{"name":"shop","object":"db-0001.tar.zst.lbx","dump_format":"pg_dump-custom","tables":[]}"#.utf8))
        XCTAssertFalse(old.isDirectoryDump)
        XCTAssertNil(old.files)
        XCTAssertEqual(old.objects, ["db-0001.tar.zst.lbx"])
    }
}
