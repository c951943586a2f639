// CipherError: every way the Cipher module can fail, phrased for the user. Messages never contain key
// material or plaintext; integrity problems map to exit status 4 so scripts can tell them from I/O failures.
import Diagnostics

public enum CipherError: LifeboatError, Equatable {
    /// A GCM tag did not verify: corrupt data, tampering, or the wrong key. The string says what failed.
    case authenticationFailed(String)
    /// The data does not start with the `LIFEBOAT` magic.
    case notSealedObject
    /// A header field Lifeboat does not understand (version, algorithm, chunk size, reserved byte).
    case unsupportedFormat(String)
    /// The header names a repository data key that the caller does not have.
    case unknownKey(keyIDHex: String)
    /// The sealed object ends before its final chunk.
    case truncated
    /// Input arrived after the sealed object was complete.
    case trailingData
    /// A programming error by the caller: wrong key length, bad nonce, misuse of a finished stream.
    case invalidArgument(String)
    /// libcrypto reported an error; `detail` is OpenSSL's own error text (never secret).
    case openssl(function: String, detail: String)

    public var exitStatus: ExitStatus {
        switch self {
        case .authenticationFailed, .notSealedObject, .unsupportedFormat, .unknownKey, .truncated, .trailingData:
            return .integrity
        case .invalidArgument, .openssl:
            return .failure
        }
    }

    public var message: String {
        switch self {
        case .authenticationFailed(let what):
            return "authentication failed for \(what)"
        case .notSealedObject:
            return "data is not a lifeboat sealed object (missing 'LIFEBOAT' magic)"
        case .unsupportedFormat(let detail):
            return "unsupported sealed object format: \(detail)"
        case .unknownKey(let keyIDHex):
            return "sealed object was encrypted with unknown key id '\(keyIDHex)'"
        case .truncated:
            return "sealed object is truncated"
        case .trailingData:
            return "unexpected data after the end of the sealed object"
        case .invalidArgument(let detail):
            return "invalid argument: \(detail)"
        case .openssl(let function, let detail):
            return "openssl call '\(function)' failed: \(detail)"
        }
    }

    public var hint: String? {
        switch self {
        case .authenticationFailed:
            return "the data is corrupt or was modified, or the wrong repository key was used; "
                + "restore from another copy and run 'lifeboat verify'"
        case .notSealedObject, .truncated, .trailingData:
            return "the object is damaged or is not a lifeboat object; run 'lifeboat verify' on the repository"
        case .unsupportedFormat:
            return "the object may have been written by a newer lifeboat version, or it is damaged"
        case .unknownKey:
            return "check that the repository key file matches this repository, or restore the key that "
                + "was in use when the object was written"
        case .invalidArgument, .openssl:
            return nil
        }
    }
}
