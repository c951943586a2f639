// PageHeader: the test `page-lsn` applies to each 8 KiB block of a relation file (docs/format.md §6.5). A block is
// left out of an incremental only when it is a valid page (a header whose offsets are in order and in range, and
// of this page layout) whose LSN is not newer than the parent's start; anything else — an all-zero page, a torn or
// unrecognisable block, a page changed since — is stored. Storing too much is always safe; skipping is argued in
// the spec. Header layout (bufpage.h): pd_lsn (two uint32: high, low) at 0, pd_checksum 8, pd_flags 10, pd_lower
// 12, pd_upper 14, pd_special 16, pd_pagesize_version 18; native byte order (little-endian here).
import Foundation

public enum PageHeader {
    public static let blockSize = 8192
    static let headerSize = 24
    /// PG_PAGE_LAYOUT_VERSION 4 (every release since 8.3) with 8 KiB pages.
    static let pageSizeVersion = UInt16(blockSize) | 4

    /// Whether the block must be stored in an incremental whose parent started at `since`.
    public static func mustStore(_ block: UnsafeRawBufferPointer, since: LSN) -> Bool {
        guard block.count == blockSize else { return true }
        guard isValid(block) else { return true }
        return lsn(block) > since
    }

    /// The page's LSN (meaningful only for a valid page).
    public static func lsn(_ block: UnsafeRawBufferPointer) -> LSN {
        LSN(UInt64(uint32(block, 0)) << 32 | UInt64(uint32(block, 4)))
    }

    /// A page header PostgreSQL itself would accept; an all-zero (new) page is not one.
    public static func isValid(_ block: UnsafeRawBufferPointer) -> Bool {
        let lower = Int(uint16(block, 12))
        let upper = Int(uint16(block, 14))
        let special = Int(uint16(block, 16))
        return uint16(block, 18) == pageSizeVersion && lower >= headerSize && lower <= upper && upper <= special
            && special <= blockSize && special % 8 == 0
    }

    static func uint16(_ block: UnsafeRawBufferPointer, _ offset: Int) -> UInt16 {
        UInt16(block[offset]) | UInt16(block[offset + 1]) << 8
    }

    static func uint32(_ block: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(block[offset + $1]) << (8 * $1) }
    }
}
