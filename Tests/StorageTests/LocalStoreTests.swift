import TestSupport
import XCTest

@testable import Storage

final class LocalStoreTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = try TemporaryDirectory.make(prefix: "lifeboat-store")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    func testConformance() throws {
        try StoreConformance.run(try LocalStore(root: root))
    }

    func testMemoryStoreConformance() throws {
        try StoreConformance.run(MemoryStore())
    }

    func testTemporaryFilesAreNeverListedAndAbortCleansUp() throws {
        let store = try LocalStore(root: root)
        let writer = try store.makeWriter(for: try ObjectKey("a/b"))
        try [UInt8](repeating: 1, count: 5).withUnsafeBytes { try writer.write($0) }
        XCTAssertEqual(try store.list(prefix: "").count, 0)
        writer.abort()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/.tmp"), [])
    }

    func testObjectsAreOwnerOnly() throws {
        let store = try LocalStore(root: root)
        try store.put(try ObjectKey("x/y"), data: [1, 2, 3])
        let attributes = try FileManager.default.attributesOfItem(atPath: root + "/x/y")
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let directory = try FileManager.default.attributesOfItem(atPath: root + "/x")
        XCTAssertEqual((directory[.posixPermissions] as? NSNumber)?.intValue, 0o700)
    }

    func testKeysCannotEscapeTheRoot() {
        for bad in ["../etc/passwd", "/abs", "a//b", "a/./b", "a/../b", "", "sp ace", "a/"] {
            XCTAssertThrowsError(try ObjectKey(bad), "key '\(bad)' must be rejected")
        }
        XCTAssertNoThrow(try ObjectKey("backups/main/20261121T195312Z-3f9a2c/manifest.lbx"))
    }
}
