// LittleEndian: the integers of both delta forms are little-endian (docs/format.md §6.5).
enum LittleEndian {
    static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }
}
