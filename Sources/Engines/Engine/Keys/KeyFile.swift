// KeyFile: 256 random bits in a small text file (mode 0600), the recommended credential for unattended runs.
// Format: comment lines starting with '#', then the base64 of exactly 32 bytes.
import Cipher
import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

public enum KeyFile {
    static let header =
        "# lifeboat key file v1: keep it secret, keep a copy offline. Without it the backups cannot be read."

    /// Creates a new key file; never overwrites, never writes through a link. The file is created with mode
    /// 0600 from the start; it and its directory are fsynced, and a failed write leaves no file behind.
    public static func generate(path: String) throws {
        let key = try SecureRandom.bytes(32)
        let text = header + "\n" + Data(key).base64EncodedString() + "\n"
        do {
            try DurableFile.create(path, with: Array(text.utf8), mode: 0o600)
        } catch let error as SystemError where error.operation == "open" && error.path == path {
            if error.code == EEXIST { throw EngineError.keyFileExists(path: path) }
            throw EngineError.keyFileUnreadable(path: path, detail: error.reason)
        } catch is SystemError {
            throw EngineError.keyFileUnreadable(path: path, detail: "short write")
        }
    }

    /// Reads and checks a key file: it must exist, be readable by its owner only, and hold 32 bytes.
    public static func read(path: String) throws -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw EngineError.keyFileMissing(path: path) }
            throw EngineError.keyFileUnreadable(path: path, detail: String(cString: strerror(errno)))
        }
        let mode = Int(info.st_mode & 0o777)
        guard mode & 0o077 == 0 else { throw EngineError.keyFileInsecure(path: path, mode: mode) }
        guard let contents = FileManager.default.contents(atPath: path),
            let text = String(data: contents, encoding: .utf8)
        else {
            throw EngineError.keyFileUnreadable(path: path, detail: "permission denied or not text")
        }
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.joined()
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard let key = Data(base64Encoded: body), key.count == 32 else {
            throw EngineError.keyFileMalformed(path: path)
        }
        return Array(key)
    }
}
