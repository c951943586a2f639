// DirectoryHandle on a real file system: a link in place of the directory or of any entry is refused with an
// error naming it, nothing is ever created, removed or re-owned through one, and a handle keeps writing into the
// directory it opened after its path was swapped for a link.
import TestSupport
import XCTest

@testable import Storage

#if canImport(Glibc)
import Glibc
#endif

final class DirectoryHandleTests: XCTestCase {
    var base = ""
    /// A directory outside every target: nothing in it may change.
    var outside = ""

    override func setUpWithError() throws {
        base = try TemporaryDirectory.make(prefix: "lifeboat-dirhandle")
        outside = base + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: outside + "/keep", contents: Data("keep".utf8)))
        XCTAssertEqual(chmod(base, 0o755), 0)
    }

    override func tearDownWithError() throws {
        _ = chmod(base, 0o755)
        try? FileManager.default.removeItem(atPath: base)
    }

    func assertOutsideUntouched(file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), ["keep"], file: file, line: line)
        XCTAssertEqual(
            FileManager.default.contents(atPath: outside + "/keep"), Data("keep".utf8), file: file, line: line)
        var info = stat()
        XCTAssertEqual(lstat(outside + "/keep", &info), 0)
        XCTAssertEqual(info.st_uid, geteuid(), file: file, line: line)
        XCTAssertEqual(info.st_mode & 0o777, 0o644 & ~currentUmask(), file: file, line: line)
    }

    func currentUmask() -> mode_t {
        let mask = umask(0o022)
        umask(mask)
        return mask
    }

    func link(_ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
    }

    func testALinkInPlaceOfTheDirectoryIsRefused() throws {
        try link(base + "/target", to: outside)
        for create in [false, true] {
            XCTAssertThrowsError(try DirectoryHandle.open(base + "/target", create: create)) { error in
                XCTAssertEqual(error as? DirectoryError, .symbolicLink(path: base + "/target"))
                XCTAssertTrue(
                    (error as? DirectoryError)?.description.contains("is a symbolic link") ?? false, "\(error)")
            }
        }
        try link(base + "/dangling", to: base + "/nothing")
        XCTAssertThrowsError(try DirectoryHandle.open(base + "/dangling", create: true)) {
            XCTAssertEqual($0 as? DirectoryError, .symbolicLink(path: base + "/dangling"))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: base + "/nothing"), "created through a dangling link")
        try assertOutsideUntouched()
    }

    func testALinkInPlaceOfAnEntryIsNeverWrittenThrough() throws {
        let root = try DirectoryHandle.open(base + "/root", create: true)
        try link(base + "/root/sub", to: outside)
        try link(base + "/root/keep", to: outside + "/keep")
        let refusals: [(String, () throws -> Any)] = [
            ("open", { try root.subdirectory("sub") }),
            ("mkdir", { try root.makeSubdirectory("sub") }),
            ("create", { try root.createFile("sub") }),
            ("create file", { try root.createFile("keep") }),
            ("append", { try root.appendFile("keep") }),
        ]
        for (what, attempt) in refusals {
            XCTAssertThrowsError(try attempt(), what) { error in
                guard case .symbolicLink(let path)? = error as? DirectoryError else {
                    return XCTFail("\(what): \(error)")
                }
                XCTAssertTrue(path == base + "/root/sub" || path == base + "/root/keep", path)
            }
        }
        XCTAssertNil(root.kind(of: "sub/keep"), "looked up through a link")
        XCTAssertEqual(root.kind(of: "sub"), .symbolicLink)
        try assertOutsideUntouched()
    }

    func testLinksOnTheWayAreFollowedOnlyWhereNobodyElseCanWrite() throws {
        try FileManager.default.createDirectory(atPath: base + "/real", withIntermediateDirectories: true)
        try link(base + "/via", to: "real")  // relative, like an administrator's /srv -> data
        let opened = try DirectoryHandle.open(base + "/via/data", create: true)
        XCTAssertEqual(opened.kind(of: ""), .directory)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: base + "/real"), ["data"])

        XCTAssertEqual(chmod(base, 0o777), 0)  // anyone could have put the link there
        XCTAssertThrowsError(try DirectoryHandle.open(base + "/via/data")) {
            XCTAssertEqual($0 as? DirectoryError, .untrustedLink(path: base + "/via"))
        }
        XCTAssertEqual(chmod(base, 0o1777), 0)  // sticky: only the link's owner (us) can replace it
        XCTAssertNoThrow(try DirectoryHandle.open(base + "/via/data"))
    }

    func testAnOpenHandleKeepsItsDirectoryWhenThePathIsSwapped() throws {
        let root = try DirectoryHandle.open(base + "/root", create: true)
        let sub = try root.makeSubdirectory("sub")
        XCTAssertEqual(rename(base + "/root", base + "/moved"), 0)
        try link(base + "/root", to: outside)
        let file = try sub.createFile("file", mode: 0o640)
        try file.write(Array("data".utf8))
        try file.setMode(0o600)
        try root.makeSubdirectory("other")
        XCTAssertEqual(FileManager.default.contents(atPath: base + "/moved/sub/file"), Data("data".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: base + "/moved").sorted(), ["other", "sub"])
        try assertOutsideUntouched()
    }

    func testFilesAreCreatedExclusivelyAndAppendRefusesSpecialFiles() throws {
        let root = try DirectoryHandle.open(base + "/root", create: true)
        try root.createFile("once").write(Array("a".utf8))
        XCTAssertThrowsError(try root.createFile("once")) { XCTAssertEqual(($0 as? DirectoryError)?.code, EEXIST) }
        try root.appendFile("once").write(Array("b".utf8))
        XCTAssertEqual(FileManager.default.contents(atPath: base + "/root/once"), Data("ab".utf8))
        XCTAssertEqual(mkfifo(base + "/root/fifo", 0o600), 0)
        XCTAssertThrowsError(try root.appendFile("fifo")) {  // refused at once, not after waiting for a reader
            XCTAssertEqual($0 as? DirectoryError, .notRegularFile(path: base + "/root/fifo"))
        }
        XCTAssertThrowsError(try root.createFile("../escape")) { XCTAssertEqual(($0 as? DirectoryError)?.code, EINVAL) }
        XCTAssertEqual(root.kind(of: "once"), .file)
        XCTAssertNil(root.kind(of: "missing"))
    }

    func testRemoveContentsRemovesLinksNotWhatTheyPointTo() throws {
        let root = try DirectoryHandle.open(base + "/root", create: true)
        try root.makeSubdirectory("a").makeSubdirectory("b").createFile("file").write([1])
        try root.createFile("top").write([2])
        try link(base + "/root/dir-link", to: outside)
        try link(base + "/root/a/file-link", to: outside + "/keep")
        try root.removeContents()
        XCTAssertEqual(try root.entries(), [])
        XCTAssertEqual(root.kind(of: ""), .directory)
        try assertOutsideUntouched()
    }

    func testPrivateDirectoriesAndOwnershipGoThroughDescriptors() throws {
        try XCTSkipUnless(geteuid() == 0, "changing owners needs root")
        let root = try DirectoryHandle.open(base + "/root", create: true)
        XCTAssertEqual(chown(base + "/root", 65534, 65534), 0)
        XCTAssertEqual(chmod(base + "/root", 0o777), 0)
        try root.makePrivate()
        var info = stat()
        XCTAssertEqual(stat(base + "/root", &info), 0)
        XCTAssertEqual(info.st_uid, 0)
        XCTAssertEqual(info.st_mode & 0o7777, 0o700)

        try root.makeSubdirectory("a").createFile("file").write([1])
        try link(base + "/root/a/keep-link", to: outside + "/keep")
        try link(base + "/root/outside-link", to: outside)
        try root.setOwnerRecursively(uid: 65534, gid: 65534)
        for path in ["", "/a", "/a/file", "/a/keep-link", "/outside-link"] {
            XCTAssertEqual(lstat(base + "/root" + path, &info), 0, path)
            XCTAssertEqual(info.st_uid, 65534, path)
            XCTAssertEqual(info.st_gid, 65534, path)
        }
        for path in [outside, outside + "/keep"] {
            XCTAssertEqual(lstat(path, &info), 0, path)
            XCTAssertEqual(info.st_uid, 0, "re-owned through a link: \(path)")
        }
        try assertOutsideUntouched()
    }

    /// A direct write the file system refuses (here: an unaligned buffer, EINVAL) is written again at the same
    /// offset through the page cache, and the file stops asking for direct I/O: nothing lost, nothing misplaced.
    func testRefusedDirectWriteFallsBackToThePageCache() throws {
        // Under the build directory: a disk file system (the system's temporary directory may be tmpfs).
        let path = FileManager.default.currentDirectoryPath + "/.build/lifeboat-fallback-\(UUID().uuidString)"
        let directory = try DirectoryHandle.open(path, create: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try directory.createFile("data")
        XCTAssertTrue(file.useDirectIO())
        let bytes = [UInt8](repeating: 9, count: 4096 + 3)
        try bytes.withUnsafeBytes { try file.writeAligned(UnsafeRawBufferPointer(rebasing: $0[1...]), at: 4096) }
        XCTAssertFalse(file.isDirect)
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: path + "/data")),
            Data(repeating: 0, count: 4096) + Data(repeating: 9, count: 4096 + 2))
    }
}
