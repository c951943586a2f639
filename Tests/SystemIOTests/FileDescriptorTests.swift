// FileDescriptor's loops under the conditions they exist for: a pipe that takes a large write in pieces while
// signals interrupt the writer (short writes and EINTR), and a read loop to the end of a file.
import Foundation
import XCTest

@testable import SystemIO

#if canImport(Glibc)
import Glibc
#endif

final class FileDescriptorTests: XCTestCase {
    /// The writer thread, for pthread_kill; set once by that thread before it writes.
    final class WriterThread: @unchecked Sendable {
        private let lock = NSLock()
        private var thread: pthread_t?
        var value: pthread_t? {
            get {
                lock.lock()
                defer { lock.unlock() }
                return thread
            }
            set {
                lock.lock()
                thread = newValue
                lock.unlock()
            }
        }
    }

    func testWriteAllDeliversEveryByteThroughShortWritesAndEINTR() throws {
        // A handler without SA_RESTART: a signal makes a blocked write return early (short) or fail with EINTR.
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        action.sa_flags = 0
        var previous = sigaction()
        XCTAssertEqual(sigaction(SIGUSR1, &action, &previous), 0)
        defer { sigaction(SIGUSR1, &previous, nil) }

        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        let payload = (0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        let writer = WriterThread()
        let done = DispatchSemaphore(value: 0)
        let failure = WriterResult()
        let writeEnd = FileDescriptor(ends[1])
        let thread = Thread {
            writer.value = pthread_self()
            do { try writeEnd.writeAll(payload, path: "pipe") } catch { failure.error = error }
            writeEnd.close()
            done.signal()
        }
        thread.start()
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 3000)
        let reader = FileDescriptor(ends[0])
        var interruptions = 0
        while true {
            if let target = writer.value, interruptions < 200 {
                pthread_kill(target, SIGUSR1)
                interruptions += 1
            }
            let count = try buffer.withUnsafeMutableBytes { try reader.read(into: $0, path: "pipe") }
            if count == 0 { break }
            received += buffer[0..<count]
        }
        done.wait()
        close(ends[0])
        XCTAssertNil(failure.error)
        XCTAssertEqual(received.count, payload.count)
        XCTAssertTrue(received == payload, "every byte, in order")
    }

    final class WriterResult: @unchecked Sendable {
        var error: (any Error)?
    }

    func testWriteToAClosedPipeIsASystemErrorNamingThePath() throws {
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        close(ends[0])
        let previous = signal(SIGPIPE, SIG_IGN)
        defer {
            signal(SIGPIPE, previous)
            close(ends[1])
        }
        XCTAssertThrowsError(try FileDescriptor(ends[1]).writeAll([1, 2, 3], path: "the pipe")) { error in
            XCTAssertEqual(error as? SystemError, SystemError("write", path: "the pipe", code: EPIPE))
            XCTAssertEqual("\(error)", "write 'the pipe' failed: Broken pipe")
        }
    }

    func testReadToEndAndPositionalRead() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path + "/data"
        let bytes = (0..<200_000).map { UInt8(truncatingIfNeeded: $0) }
        try DurableFile.create(path, with: bytes, mode: 0o600)
        let fd = try FileDescriptor.open(path, O_RDONLY)
        defer { fd.close() }
        XCTAssertEqual(try fd.readToEnd(path: path), bytes)
        var four = [UInt8](repeating: 0, count: 4)
        XCTAssertEqual(try four.withUnsafeMutableBytes { try fd.read(into: $0, at: 1000, path: path) }, 4)
        XCTAssertEqual(four, Array(bytes[1000..<1004]))
        XCTAssertTrue(try fd.isRegularFile(path: path))
    }

    func testOpenFailureCarriesOperationPathAndErrno() {
        XCTAssertThrowsError(try FileDescriptor.open("/nonexistent-lifeboat/x", O_RDONLY)) { error in
            XCTAssertEqual(error as? SystemError, SystemError("open", path: "/nonexistent-lifeboat/x", code: ENOENT))
        }
    }

    func testRenameErrorNamesBothPaths() {
        let error = SystemError("rename", path: "/a.tmp", destination: "/a", code: EXDEV)
        XCTAssertEqual(error.subject, "rename '/a.tmp' to '/a'")
        XCTAssertEqual(error.description, "rename '/a.tmp' to '/a' failed: Invalid cross-device link")
    }

    func testMappedTurnsOnlySystemErrorsIntoTheCallersError() throws {
        struct Mine: Error, Equatable { let text: String }
        struct Other: Error {}
        XCTAssertEqual(try SystemError.mapped({ 42 }, into: { Mine(text: $0.description) }), 42)
        XCTAssertThrowsError(
            try SystemError.mapped(
                { throw SystemError("fsync", path: "/f", code: EIO) },
                into: { Mine(text: $0.description) })
        ) { error in
            XCTAssertEqual(error as? Mine, Mine(text: "fsync '/f' failed: Input/output error"))
        }
        XCTAssertThrowsError(try SystemError.mapped({ throw Other() }, into: { Mine(text: $0.description) })) { error in
            XCTAssertTrue(error is Other, "any other error passes unchanged")
        }
    }

    /// The writeback hint is found in this libc (else a restore's final syncfs writes everything at once) and
    /// leaves the bytes alone; on a descriptor it does not apply to (a pipe) it is ignored.
    func testStartWritebackIsAvailableAndHarmless() throws {
        XCTAssertTrue(FileDescriptor.writebackAvailable)
        let scratch = try ScratchDirectory()
        let path = scratch.path + "/data"
        let fd = try FileDescriptor.open(path, O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        let bytes = [UInt8](repeating: 7, count: 3 << 20)
        try bytes.withUnsafeBytes { try fd.writeAll($0, path: path) }
        fd.startWriteback(offset: 0, length: 1 << 20)
        fd.startWriteback()
        fd.close()
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(bytes))
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        FileDescriptor(ends[1]).startWriteback()
        close(ends[0])
        close(ends[1])
    }

    /// O_DIRECT really is set and cleared (the flag's value differs between architectures and Swift's Glibc does
    /// not export it): with it on, an unaligned write is refused with EINVAL and an aligned one lands; with it off
    /// again, the unaligned write is accepted. On a file under the build directory, a disk file system.
    func testSetDirectIOTogglesODirect() throws {
        let path = FileManager.default.currentDirectoryPath + "/.build/lifeboat-direct-\(UUID().uuidString)"
        let fd = try FileDescriptor.open(path, O_RDWR | O_CREAT | O_EXCL, mode: 0o600)
        defer {
            fd.close()
            unlink(path)
        }
        XCTAssertTrue(fd.setDirectIO(true), "a disk file system supports O_DIRECT")
        let aligned = UnsafeMutableRawBufferPointer.allocate(
            byteCount: 2 * FileDescriptor.directAlignment, alignment: FileDescriptor.directAlignment)
        defer { aligned.deallocate() }
        aligned.initializeMemory(as: UInt8.self, repeating: 5)
        XCTAssertThrowsError(
            try fd.writeAll(UnsafeRawBufferPointer(rebasing: aligned[1..<101]), at: 0, path: path)
        ) { error in
            XCTAssertEqual((error as? SystemError)?.code, EINVAL, "an unaligned direct write is refused")
        }
        try fd.writeAll(UnsafeRawBufferPointer(aligned), at: 0, path: path)
        XCTAssertTrue(fd.setDirectIO(false))
        try fd.writeAll(UnsafeRawBufferPointer(rebasing: aligned[1..<101]), at: 8192, path: path)
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: path)), Data(repeating: 5, count: 8192 + 100))
    }

    /// A FIFO's buffer grows to what is asked (the restore feed's pipes take 1 MiB per wake-up of pg_restore);
    /// a regular file refuses, and stays usable.
    func testSetPipeBufferGrowsAFIFOAndRefusesAFile() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path + "/fifo"
        try FileDescriptor.makeFIFO(path)
        // Read-write: opening a FIFO so never blocks for want of the other end.
        let fifo = try FileDescriptor.open(path, O_RDWR)
        defer { fifo.close() }
        // F_GETPIPE_SZ is 1032 (not imported: it needs _GNU_SOURCE).
        XCTAssertLessThan(fcntl(fifo.rawValue, 1032), 1 << 20)
        XCTAssertTrue(fifo.setPipeBuffer(1 << 20))
        XCTAssertEqual(fcntl(fifo.rawValue, 1032), 1 << 20)
        let file = try FileDescriptor.open(scratch.path + "/file", O_RDWR | O_CREAT | O_EXCL)
        defer { file.close() }
        XCTAssertFalse(file.setPipeBuffer(1 << 20))
        try file.writeAll([1, 2, 3], path: scratch.path + "/file")
    }

    func testDirectoryParentAndFsync() throws {
        XCTAssertEqual(Directory.parent(of: "name"), ".")
        XCTAssertEqual(Directory.parent(of: "/name"), "/")
        XCTAssertEqual(Directory.parent(of: "/a/b/c"), "/a/b")
        let scratch = try ScratchDirectory()
        XCTAssertNoThrow(try Directory.fsync(scratch.path))
        XCTAssertThrowsError(try Directory.fsync(scratch.path + "/missing")) { error in
            XCTAssertEqual(error as? SystemError, SystemError("open", path: scratch.path + "/missing", code: ENOENT))
        }
    }
}
