// BackupTypeSetting: the two kinds of backup, as policy files, drill files and lifeboat.yml name them.
// It lives with the policy models because keep rules and tiering rules are written per type.

/// The kind of backup: a logical dump per database, or a physical snapshot of the cluster (base backup + WAL).
public enum BackupTypeSetting: String, Sendable, Equatable, Codable, CaseIterable {
    case logical
    case snapshot
}
