// ArchiveError: every way reading or writing a Lifeboat tar archive can fail, as one user-facing error type.
import Diagnostics

public enum ArchiveError: LifeboatError {
    /// libarchive refused an operation for a reason that is not the data's fault (set-up, options, memory).
    case libarchive(operation: String, detail: String)
    /// The archive bytes are damaged, truncated or not a tar archive Lifeboat can read.
    case corrupt(String)
    /// An entry's written byte count differs from the size declared in its header.
    case sizeMismatch(entry: String, declared: Int64, written: Int64)
    /// An entry name that could escape the restore directory (absolute, `..`, empty, NUL).
    case unsafeEntryName(String)
    /// The API was called out of order (a bug in the caller).
    case misuse(String)

    public var exitStatus: ExitStatus {
        switch self {
        case .libarchive, .sizeMismatch, .misuse: return .failure
        case .corrupt, .unsafeEntryName: return .integrity
        }
    }

    public var message: String {
        switch self {
        case .libarchive(let operation, let detail):
            return "archive operation '\(operation)' failed: \(Self.printable(detail))"
        case .corrupt(let detail):
            return "archive is corrupt or truncated: \(detail)"
        case .sizeMismatch(let entry, let declared, let written):
            return
                "tar entry \(Self.quoted(entry)) was declared as '\(declared)' bytes but '\(written)' bytes were written"
        case .unsafeEntryName(let name):
            return
                "unsafe tar entry name \(Self.quoted(name)): names must be relative, non-empty, without '..' components or NUL"
        case .misuse(let detail):
            return "archive api misuse: \(detail)"
        }
    }

    public var hint: String? {
        switch self {
        case .libarchive:
            return
                "check that libarchive 3.6 or later with zstd support is installed and the compression options are valid"
        case .corrupt:
            return
                "the stored object is damaged or incomplete; run 'lifeboat verify' and restore from another backup if it fails"
        case .sizeMismatch:
            return "the source changed size while it was being archived, or this is a bug in lifeboat; retry the backup"
        case .unsafeEntryName:
            return "the archive was not written by lifeboat or was tampered with; do not restore from it"
        case .misuse:
            return "this is a bug in lifeboat; please report it"
        }
    }

    /// Quotes a name from an archive for a message. Names can come from hostile archives, so control characters are
    /// escaped rather than sent to the user's terminal.
    public static func quoted(_ value: String) -> String {
        "'" + printable(value) + "'"
    }

    static func printable(_ value: String) -> String {
        var result = ""
        for scalar in value.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7f {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
