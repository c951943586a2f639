// DeltaError: a delta entry that does not follow docs/format.md §6.5. The bytes authenticated, so the backup
// was written wrong or by something else: an integrity failure either way, never data restored on a guess.
import Diagnostics

public struct DeltaError: LifeboatError, Equatable {
    /// What is wrong, with the values found (the entry's name is added by the reader that knows it).
    public let detail: String

    public init(_ detail: String) {
        self.detail = detail
    }

    /// The same error, said of `place` (the entry, then the object holding it).
    public func located(_ place: String) -> DeltaError {
        DeltaError("in \(place): \(detail)")
    }

    public var exitStatus: ExitStatus { .integrity }
    public var message: String { "corrupt delta entry: \(detail)" }
    public var hint: String? {
        "the incremental backup cannot be restored as stored; run 'lifeboat verify' and restore an older backup"
    }
}
