// VerificationRequest: what `lifeboat verify` was asked to read back: one backup (an id or "latest"), every
// backup, the WAL archive, or backups and WAL together.
import Foundation

public struct VerificationRequest: Sendable {
    /// A backup id or "latest"; nil with `all`, or with `wal` alone.
    public var reference: String?
    public var all: Bool
    public var wal: Bool
    /// How objects in an archive storage class are made readable first.
    public var rehydration: RehydrationOptions

    public init(reference: String?, all: Bool, wal: Bool, rehydration: RehydrationOptions) {
        self.reference = reference
        self.all = all
        self.wal = wal
        self.rehydration = rehydration
    }

    /// `--wal` alone verifies only the WAL archive; an id or `--all` with it verifies backups as well.
    public var verifiesBackups: Bool { !wal || all || reference != nil }
}
