// HKDF: RFC 5869 extract-and-expand with HMAC-SHA256; derives each sealed object's key from the data key.

public enum HKDF {
    public static func sha256(ikm: [UInt8], salt: [UInt8], info: [UInt8], length: Int) throws -> [UInt8] {
        let hashLength = HMACSHA256.macSize
        guard length >= 0, length <= 255 * hashLength else {
            throw CipherError.invalidArgument("hkdf output length '\(length)' is outside 0...\(255 * hashLength)")
        }
        // RFC 5869 2.2: an absent salt is HashLen zero bytes.
        let prk = try HMACSHA256.authenticate(
            key: salt.isEmpty ? [UInt8](repeating: 0, count: hashLength) : salt,
            data: ikm)
        return try expand(prk: prk, info: info, length: length)
    }

    /// RFC 5869 2.3: T(i) = HMAC(PRK, T(i-1) || info || i).
    private static func expand(prk: [UInt8], info: [UInt8], length: Int) throws -> [UInt8] {
        var okm: [UInt8] = []
        okm.reserveCapacity(length)
        var previous: [UInt8] = []
        var counter: UInt8 = 1
        while okm.count < length {
            previous = try HMACSHA256.authenticate(key: prk, data: previous + info + [counter])
            okm.append(contentsOf: previous.prefix(length - okm.count))
            counter &+= 1
        }
        return okm
    }
}
