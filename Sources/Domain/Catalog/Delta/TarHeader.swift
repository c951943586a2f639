// TarHeader: one 512-byte header of the ustar archives BASE_BACKUP sends (PostgreSQL's tarCreateHeader), read and
// rewritten in place so an incremental snapshot can rename a relation file to its delta entry and give it a new
// size without re-encoding anything else (mode, owner and modification time stay the server's).
import Foundation

public struct TarHeader: Sendable, Equatable {
    public static let blockSize = 512
    /// The name field holds at most 99 bytes and a terminating NUL (PostgreSQL refuses longer names).
    public static let maximumNameLength = 99

    /// The header as read, 512 bytes.
    public private(set) var bytes: [UInt8]

    /// nil when `block` is not 512 bytes or its checksum is wrong: not a header this code understands.
    public init?(_ block: some Collection<UInt8>) {
        guard block.count == Self.blockSize else { return nil }
        bytes = Array(block)
        guard let stored = Self.number(bytes[148..<156]), stored == Self.checksum(bytes) else { return nil }
    }

    /// Two of these end an archive.
    public static func isZeroBlock(_ block: some Collection<UInt8>) -> Bool { block.allSatisfy { $0 == 0 } }

    /// The entry's path: the ustar prefix (unused by PostgreSQL) joined with the name.
    public var name: String {
        let name = Self.text(bytes[0..<100])
        let prefix = Self.text(bytes[345..<500])
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    public var typeFlag: UInt8 { bytes[156] }
    /// A regular file (`0`, or NUL in old archives).
    public var isRegularFile: Bool { typeFlag == UInt8(ascii: "0") || typeFlag == 0 }
    /// A header that changes how the next one is read (pax or GNU long names): the next entry is left alone.
    public var isExtension: Bool {
        [UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"), UInt8(ascii: "K")].contains(typeFlag)
    }

    /// The data size in bytes (octal, or base-256 for sizes of 8 GiB and more); 0 when unreadable.
    public var size: Int64 { Self.number(bytes[124..<136]).map(Int64.init) ?? 0 }
    /// Seconds since the epoch.
    public var modificationTime: Int64 { Self.number(bytes[136..<148]).map(Int64.init) ?? 0 }
    /// Bytes the data occupies in the archive: the size rounded up to whole blocks.
    public var paddedSize: Int64 { Self.padded(size) }

    public static func padded(_ size: Int64) -> Int64 { (size + 511) / 512 * 512 }

    /// The same header with another name (no prefix) and size, checksum recomputed. The name must fit
    /// `maximumNameLength`.
    public func renamed(_ newName: String, size newSize: Int64) -> TarHeader {
        precondition(newName.utf8.count <= Self.maximumNameLength, "tar name too long: \(newName)")
        precondition(newSize >= 0 && newSize < 0o77777777777, "tar size out of range")
        var copy = self
        copy.bytes.replaceSubrange(0..<100, with: Self.field(Array(newName.utf8), length: 100))
        copy.bytes.replaceSubrange(345..<500, with: [UInt8](repeating: 0, count: 155))
        copy.bytes.replaceSubrange(124..<136, with: Self.octal(UInt64(newSize), length: 12))
        copy.bytes.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
        copy.bytes.replaceSubrange(148..<156, with: Self.octal(UInt64(Self.checksum(copy.bytes)), length: 8))
        return copy
    }

    /// A new regular-file header (for tests and synthetic entries): mode 0600, owner 0, ustar magic.
    public static func file(name: String, size: Int64, modificationTime: Int64 = 0) -> TarHeader {
        var block = [UInt8](repeating: 0, count: blockSize)
        block.replaceSubrange(100..<108, with: octal(0o600, length: 8))
        block.replaceSubrange(108..<116, with: octal(0, length: 8))
        block.replaceSubrange(116..<124, with: octal(0, length: 8))
        block.replaceSubrange(136..<148, with: octal(UInt64(modificationTime), length: 12))
        block[156] = UInt8(ascii: "0")
        block.replaceSubrange(257..<265, with: Array("ustar\u{0}00".utf8))
        block.replaceSubrange(148..<156, with: [UInt8](repeating: 0x20, count: 8))
        block.replaceSubrange(148..<156, with: octal(UInt64(checksum(block)), length: 8))
        let header = TarHeader(block)!
        return header.renamed(name, size: size)
    }

    // MARK: fields

    /// The sum of the header's bytes with the checksum field counted as spaces.
    static func checksum(_ block: [UInt8]) -> UInt32 {
        var sum: UInt32 = 0
        for index in 0..<blockSize { sum += (148..<156).contains(index) ? 0x20 : UInt32(block[index]) }
        return sum
    }

    /// An octal field (digits, optionally padded with spaces or NULs), or base-256 when the high bit is set.
    static func number(_ field: ArraySlice<UInt8>) -> UInt64? {
        guard let first = field.first else { return nil }
        if first & 0x80 != 0 {
            return field.dropFirst().reduce(UInt64(first & 0x7f)) { $0 << 8 | UInt64($1) }
        }
        let digits = field.drop { $0 == 0x20 }.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }
        guard !digits.isEmpty else { return field.allSatisfy { $0 == 0 || $0 == 0x20 } ? 0 : nil }
        return UInt64(String(decoding: digits, as: UTF8.self), radix: 8)
    }

    /// `length - 1` zero-padded octal digits and a NUL.
    static func octal(_ value: UInt64, length: Int) -> [UInt8] {
        let digits = String(value, radix: 8)
        let padded = String(repeating: "0", count: max(0, length - 1 - digits.count)) + digits
        return Array(padded.utf8) + [0]
    }

    static func field(_ value: [UInt8], length: Int) -> [UInt8] {
        value + [UInt8](repeating: 0, count: length - value.count)
    }

    static func text(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }
}
