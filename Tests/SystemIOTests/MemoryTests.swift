// Memory.trim: memory freed below the top of an allocator heap stays resident until it is handed back.
import Foundation
import XCTest

@testable import SystemIO

#if canImport(Glibc)
import Glibc
#endif

final class MemoryTests: XCTestCase {
    /// Resident pages of this process (/proc/self/statm, second field), in bytes.
    private func resident() throws -> Int {
        let text = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        let pages = Int(text.split(separator: " ")[1]) ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func testTrimHandsFreedMemoryBack() throws {
        // 64 KiB blocks stay below glibc's mmap threshold, so they come from the heap; the last one, still
        // allocated, keeps the freed ones below the heap's top, where free() alone never returns them.
        let blocks = (0..<1024).map { _ -> UnsafeMutableRawPointer in
            let block = malloc(64 << 10)!
            memset(block, 1, 64 << 10)
            return block
        }
        let pin = malloc(64 << 10)!
        memset(pin, 1, 64 << 10)
        defer { free(pin) }
        for block in blocks { free(block) }
        let before = try resident()
        XCTAssertTrue(Memory.trim())
        let after = try resident()
        XCTAssertGreaterThan(before - after, 32 << 20, "resident \(before) before the trim, \(after) after")
    }
}
