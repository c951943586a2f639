import Catalog
import XCTest

final class TablespacePlanTests: XCTestCase {
    let spaces = [
        TablespaceRecord(
            oid: 16385, location: "/srv/ts1", object: "tblspc-16385.tar.zst.lbx", entry: "tblspc-16385.tar", size: 10),
        TablespaceRecord(
            oid: 16390, location: "/srv/ts=2", object: "tblspc-16390.tar.zst.lbx", entry: "tblspc-16390.tar", size: 20),
    ]

    func testOptionParsing() throws {
        XCTAssertEqual(
            try TablespaceMapOption(parsing: "16385=/new/ts1"), TablespaceMapOption(key: "16385", directory: "/new/ts1")
        )
        XCTAssertEqual(
            try TablespaceMapOption(parsing: #"/srv/ts\=2=/new/a=b"#),
            TablespaceMapOption(key: "/srv/ts=2", directory: "/new/a=b"))
        for bad in ["16385", "=/new", "16385=", "16385=relative/dir"] {
            XCTAssertThrowsError(try TablespaceMapOption(parsing: bad), bad) { error in
                XCTAssertEqual((error as? TablespacePlanError)?.exitStatus, .usage)
            }
        }
    }

    func testTargetsByOidPathAndDefault() throws {
        let options = [TablespaceMapOption(key: "/srv/ts1", directory: "/new/one/")]
        let targets = try TablespacePlan.targets(spaces, options: options, dataDirectory: "/restore/data", clean: false)
        { _ in .absent }
        XCTAssertEqual(targets.map(\.directory), ["/new/one", "/srv/ts=2"])
        XCTAssertEqual(targets.map(\.mapped), [true, false])
        XCTAssertEqual(TablespacePlan.mapText(targets), "16385 /new/one\n16390 /srv/ts=2\n")
    }

    func testNonEmptyOriginalLocationIsRefusedEvenWithClean() {
        for clean in [false, true] {
            XCTAssertThrowsError(
                try TablespacePlan.targets(spaces, options: [], dataDirectory: "/d", clean: clean) {
                    $0 == "/srv/ts1" ? .notEmpty : .absent
                }
            ) { error in
                XCTAssertEqual(error as? TablespacePlanError, .locationNotEmpty(oid: 16385, path: "/srv/ts1"))
                XCTAssertTrue((error as? TablespacePlanError)?.description.contains("--tablespace-map 16385=") ?? false)
            }
        }
    }

    func testNonEmptyMappedDirectoryNeedsClean() throws {
        let options = [
            TablespaceMapOption(key: "16385", directory: "/new/one"),
            TablespaceMapOption(key: "16390", directory: "/new/two"),
        ]
        XCTAssertThrowsError(
            try TablespacePlan.targets(spaces, options: options, dataDirectory: "/d", clean: false) { _ in .notEmpty }
        ) {
            XCTAssertEqual($0 as? TablespacePlanError, .targetNotEmpty(oid: 16385, path: "/new/one"))
        }
        XCTAssertEqual(
            try TablespacePlan.targets(spaces, options: options, dataDirectory: "/d", clean: true) { _ in .notEmpty }
                .count, 2)
    }

    func testConflictsAndUnknownKeys() {
        func plan(_ options: [TablespaceMapOption]) throws -> [TablespaceTarget] {
            try TablespacePlan.targets(spaces, options: options, dataDirectory: "/restore/data", clean: false) { _ in
                .absent
            }
        }
        XCTAssertThrowsError(try plan([TablespaceMapOption(key: "999", directory: "/x")])) {
            guard case .unknownTablespace("999", _)? = $0 as? TablespacePlanError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(
            try plan([
                TablespaceMapOption(key: "16385", directory: "/x"),
                TablespaceMapOption(key: "/srv/ts1", directory: "/y"),
            ])
        ) {
            XCTAssertEqual($0 as? TablespacePlanError, .mappedTwice(oid: 16385))
        }
        XCTAssertThrowsError(
            try plan([TablespaceMapOption(key: "16385", directory: "/restore/data/ts")]), "inside the data directory")
        XCTAssertThrowsError(
            try plan([
                TablespaceMapOption(key: "16385", directory: "/x"), TablespaceMapOption(key: "16390", directory: "/x/"),
            ]),
            "two tablespaces in one directory")
        XCTAssertThrowsError(try plan([TablespaceMapOption(key: "16385", directory: "/x\ny")]), "newline")
    }

    func testUnusableDirectoryIsRefusedWithItsReasonEvenWithClean() {
        for clean in [false, true] {
            XCTAssertThrowsError(
                try TablespacePlan.targets(
                    spaces, options: [TablespaceMapOption(key: "16385", directory: "/new/link")],
                    dataDirectory: "/d", clean: clean
                ) {
                    $0 == "/new/link" ? .unusable("'/new/link' is a symbolic link") : .absent
                }
            ) { error in
                XCTAssertEqual(
                    error as? TablespacePlanError,
                    .unusableDirectory(oid: 16385, path: "/new/link", detail: "'/new/link' is a symbolic link"))
                XCTAssertEqual((error as? TablespacePlanError)?.exitStatus, .usage)
            }
        }
    }

    func testMapTextEscapesLikePostgreSQL() {
        let target = TablespaceTarget(oid: 1, location: "/a", directory: #"/we\ird"#, mapped: true, object: "o")
        XCTAssertEqual(TablespacePlan.mapText([target]), #"1 /we\\ird"# + "\n")
    }

    func testManifestFieldIsAbsentWithoutTablespaces() throws {
        let record = SnapshotRecord(
            object: "base.tar.zst.lbx", entry: "base.tar", format: "f", timeline: 1, walSegmentSize: 16,
            startWal: "a", stopWal: "b")
        let json = String(decoding: try CatalogCoding.encoder().encode(record), as: UTF8.self)
        XCTAssertFalse(json.contains("tablespaces"), json)
        var with = record
        with.tablespaces = spaces
        let decoded = try CatalogCoding.decoder().decode(
            SnapshotRecord.self, from: try CatalogCoding.encoder().encode(with))
        XCTAssertEqual(decoded, with)
    }
}
