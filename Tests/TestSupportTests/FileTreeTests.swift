// FileTree lists regular files by relative path, at any depth, and never directories.
import Foundation
import TestSupport
import XCTest

final class FileTreeTests: XCTestCase {
    func testRegularFilesAtAnyDepthWithTheirContents() throws {
        let root = try temporaryDirectory(prefix: "filetree")
        try FileManager.default.createDirectory(atPath: root + "/a/b", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        try Data("top".utf8).write(to: URL(fileURLWithPath: root + "/top"))
        try Data("deep".utf8).write(to: URL(fileURLWithPath: root + "/a/b/deep"))
        XCTAssertEqual(FileTree.regularFiles(below: root).sorted(), ["a/b/deep", "top"])
        XCTAssertEqual(FileTree.contents(below: root), ["a/b/deep": Data("deep".utf8), "top": Data("top".utf8)])
        XCTAssertEqual(FileTree.contents(below: root + "/missing"), [:])
    }

    func testTemporaryDirectoriesAreFreshAndDistinct() throws {
        let first = try TemporaryDirectory.make(prefix: "fresh")
        let second = try TemporaryDirectory.make(prefix: "fresh")
        defer { [first, second].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: first), [])
    }
}
