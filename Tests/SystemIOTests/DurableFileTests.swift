// DurableFile: the new content replaces the old whole, with exactly the mode asked for; a failure leaves the old
// file and no temporary file; a link at the temporary name is never written through.
import Foundation
import XCTest

@testable import SystemIO

#if canImport(Glibc)
import Glibc
#endif

final class DurableFileTests: XCTestCase {
    func mode(_ path: String) -> mode_t {
        var info = stat()
        XCTAssertEqual(lstat(path, &info), 0)
        return info.st_mode & 0o7777
    }

    func testReplaceWritesTheContentWithTheModeSetOnTheDescriptor() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path + "/metrics.prom"
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: path))
        let mask = umask(0o077)  // the mode must not depend on the umask
        defer { umask(mask) }
        let file = try DurableFile(replacing: path, mode: 0o644) { path + ".tmp.1" }
        XCTAssertEqual(mode(file.temporaryPath), 0o644)
        try file.write(Array("new\n".utf8))
        try file.commit()
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new\n")
        XCTAssertEqual(mode(path), 0o644)
        XCTAssertEqual(try scratch.names(), ["metrics.prom"], "no temporary file is left")
    }

    func testAFailedRenameLeavesTheOldStateAndNoTemporaryFile() throws {
        let scratch = try ScratchDirectory()
        // A non-empty directory at the destination: rename(2) cannot replace it.
        let path = scratch.path + "/target"
        try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
        let file = try DurableFile(replacing: path, mode: 0o600) { scratch.path + "/target.tmp" }
        try file.write(Array("data".utf8))
        XCTAssertThrowsError(try file.commit()) { error in
            let failure = error as? SystemError
            XCTAssertEqual(failure?.operation, "rename")
            XCTAssertEqual(failure?.path, scratch.path + "/target.tmp")
            XCTAssertEqual(failure?.destination, path)
        }
        XCTAssertEqual(try scratch.names(), ["target"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: path), ["inside"])
    }

    func testADiscardedOrAbandonedFileLeavesNothing() throws {
        let scratch = try ScratchDirectory()
        let discarded = try DurableFile(replacing: scratch.path + "/a", mode: 0o600) { scratch.path + "/a.tmp" }
        try discarded.write(Array("partial".utf8))
        discarded.discard()
        discarded.discard()
        do {
            let abandoned = try DurableFile(replacing: scratch.path + "/b", mode: 0o600) { scratch.path + "/b.tmp" }
            try abandoned.write(Array("partial".utf8))
        }
        XCTAssertEqual(try scratch.names(), [])
    }

    func testALinkAtTheTemporaryNameIsNeverFollowed() throws {
        let scratch = try ScratchDirectory()
        let victim = scratch.path + "/victim"
        let link = scratch.path + "/out.tmp"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        XCTAssertEqual(chmod(victim, 0o600), 0)
        XCTAssertEqual(symlink(victim, link), 0)
        XCTAssertEqual(symlink(scratch.path + "/dangling-target", scratch.path + "/dangling.tmp"), 0)
        for name in [link, scratch.path + "/dangling.tmp"] {
            XCTAssertThrowsError(try DurableFile(replacing: scratch.path + "/out", mode: 0o644) { name }) { error in
                XCTAssertEqual(error as? SystemError, SystemError("open", path: name, code: EEXIST))
            }
        }
        // With more attempts, a taken name is skipped for a fresh one.
        var names = [link, scratch.path + "/out.tmp2"]
        let file = try DurableFile(replacing: scratch.path + "/out", mode: 0o644, attempts: 3) { names.removeFirst() }
        XCTAssertEqual(file.temporaryPath, scratch.path + "/out.tmp2")
        try file.write(Array("fresh".utf8))
        try file.commit()
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious")
        XCTAssertEqual(mode(victim), 0o600, "the link's target keeps its mode")
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/dangling-target"))
        XCTAssertEqual(try String(contentsOfFile: scratch.path + "/out", encoding: .utf8), "fresh")
    }

    func testCommitExclusivelyNeverReplaces() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path + "/lock"
        let first = try DurableFile(replacing: path, mode: 0o600) { scratch.path + "/1.part" }
        try first.write(Array("first".utf8))
        XCTAssertTrue(try first.commitExclusively())
        let second = try DurableFile(replacing: path, mode: 0o600) { scratch.path + "/2.part" }
        try second.write(Array("second".utf8))
        XCTAssertFalse(try second.commitExclusively())
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "first")
        XCTAssertEqual(try scratch.names(), ["lock"], "both temporary files are gone")
    }

    func testCreateMakesANewPrivateFileAndRefusesAnExistingNameOrLink() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path + "/repo.key"
        let mask = umask(0)
        defer { umask(mask) }
        try DurableFile.create(path, with: Array("secret\n".utf8), mode: 0o600)
        XCTAssertEqual(mode(path), 0o600)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "secret\n")
        XCTAssertThrowsError(try DurableFile.create(path, with: [1], mode: 0o600)) { error in
            XCTAssertEqual((error as? SystemError)?.code, EEXIST)
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "secret\n", "never overwritten")
        let link = scratch.path + "/link.key"
        XCTAssertEqual(symlink(scratch.path + "/elsewhere", link), 0)
        XCTAssertThrowsError(try DurableFile.create(link, with: [1], mode: 0o600))
        XCTAssertFalse(FileManager.default.fileExists(atPath: scratch.path + "/elsewhere"))
    }

    func testMoveRenamesAndReportsAMissingSource() throws {
        let scratch = try ScratchDirectory()
        try DurableFile.create(scratch.path + "/a", with: Array("a".utf8), mode: 0o600)
        try DurableFile.move(scratch.path + "/a", to: scratch.path + "/b")
        XCTAssertEqual(try scratch.names(), ["b"])
        XCTAssertThrowsError(try DurableFile.move(scratch.path + "/a", to: scratch.path + "/b")) { error in
            let (source, destination) = (scratch.path + "/a", scratch.path + "/b")
            let expected = SystemError("rename", path: source, destination: destination, code: ENOENT)
            XCTAssertEqual(error as? SystemError, expected)
        }
    }
}
