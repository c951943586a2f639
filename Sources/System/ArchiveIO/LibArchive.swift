// LibArchive: the single place where libarchive return codes become Swift errors.
import CLibArchive
import Glibc

enum LibArchive {
    /// Passes ARCHIVE_OK; anything else throws. When the failure was caused by the caller's own input or output
    /// closure, that closure's original error surfaces; otherwise `makeError` wraps libarchive's message.
    static func check(
        _ code: Int32,
        _ archive: OpaquePointer,
        callbackError: (any Error)?,
        _ makeError: (String) -> ArchiveError
    ) throws {
        guard code != ARCHIVE_OK else { return }
        if let callbackError { throw callbackError }
        throw makeError(detail(archive, code: code))
    }

    /// libarchive's last message, made safe to print (it can quote names from a hostile archive).
    static func detail(_ archive: OpaquePointer, code: Int32) -> String {
        guard let message = archive_error_string(archive) else {
            return "libarchive returned '\(code)' without a message"
        }
        let text = ArchiveError.printable(String(cString: message))
        return text.prefix(1).lowercased() + text.dropFirst()
    }

    /// Treats an out-of-memory failure as environmental, everything else while reading as damaged data.
    static func readFailure(_ archive: OpaquePointer, _ operation: String) -> (String) -> ArchiveError {
        let outOfMemory = archive_errno(archive) == ENOMEM
        return { detail in
            outOfMemory ? .libarchive(operation: operation, detail: detail) : .corrupt("\(operation): \(detail)")
        }
    }

    static func setupFailure(_ operation: String) -> (String) -> ArchiveError {
        { detail in .libarchive(operation: operation, detail: detail) }
    }
}
