// ChunkNonce: the STREAM nonce of chunk i — i as an 11-byte big-endian integer, then 0x01 for the final
// chunk and 0x00 otherwise. Binding position and finality into the nonce is what makes reordering,
// truncation at a chunk boundary and appending detectable.
struct ChunkNonce {
    /// Reused for every chunk; mutated in place so no chunk allocates.
    private(set) var bytes = [UInt8](repeating: 0, count: AES256GCM.nonceSize)

    mutating func set(index: UInt64, final: Bool) {
        // Bytes 0..<3 stay zero: a UInt64 fills the low 8 of the 11 counter bytes.
        var value = index
        for position in stride(from: 10, through: 3, by: -1) {
            bytes[position] = UInt8(truncatingIfNeeded: value)
            value >>= 8
        }
        bytes[11] = final ? 0x01 : 0x00
    }
}
