// VerificationFailure: `lifeboat verify` found damaged backup objects (exit 4).
import Diagnostics

public struct VerificationFailure: LifeboatError {
    public let count: Int

    public var exitStatus: ExitStatus { .integrity }
    public var message: String { "\(count) object(s) failed verification" }
    public var hint: String? {
        "do not rely on the backups listed above; take a new backup and investigate the repository storage"
    }
}
