// OpenSSL: the one place libcrypto return codes become Swift errors. Every other file in this module
// calls `OpenSSL.check`/`OpenSSL.nonNull` instead of inspecting return codes itself.
import CLibCrypto

enum OpenSSL {
    /// libcrypto functions return 1 on success and 0 (sometimes negative) on failure.
    static func check(_ result: Int32, _ function: StaticString) throws {
        guard result == 1 else {
            throw CipherError.openssl(function: "\(function)", detail: drainErrorQueue())
        }
    }

    /// For constructors that return NULL on failure (`EVP_CIPHER_CTX_new`, ...).
    static func nonNull<T>(_ pointer: T?, _ function: StaticString) throws -> T {
        guard let pointer else {
            throw CipherError.openssl(function: "\(function)", detail: drainErrorQueue())
        }
        return pointer
    }

    /// Empties the thread's error queue so a stale entry cannot be blamed on a later call, and returns
    /// OpenSSL's text for the entries (oldest first). OpenSSL's messages never contain key material.
    @discardableResult
    static func drainErrorQueue() -> String {
        var messages: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            ERR_error_string_n(code, &buffer, buffer.count)
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            messages.append(String(decoding: bytes, as: UTF8.self))
        }
        return messages.isEmpty ? "no error detail from openssl" : messages.joined(separator: "; ")
    }

    /// A C `int` length; libcrypto's one-shot APIs take `int`, so larger inputs are a caller error.
    static func int32Length(_ count: Int, _ what: String) throws -> Int32 {
        guard let length = Int32(exactly: count) else {
            throw CipherError.invalidArgument("\(what) of \(count) bytes is too large")
        }
        return length
    }

    /// Overwrites key material or plaintext in a way the optimiser may not drop.
    static func cleanse(_ bytes: UnsafeMutableRawBufferPointer) {
        if let base = bytes.baseAddress { OPENSSL_cleanse(base, bytes.count) }
    }
}
