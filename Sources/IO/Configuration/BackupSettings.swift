// BackupSettings: what `lifeboat backup` takes when the command line does not say.
import Policy

public struct BackupSettings: Sendable, Equatable, Codable {
    public var type: BackupTypeSetting
    /// Databases for logical backups; empty means every database that is not a template.
    public var databases: [String]
    /// Set when snapshots decide by themselves between full and incremental (`backup.incremental`).
    public var incremental: IncrementalSettings?
    /// pg_dump workers per database of a logical backup: 1 dumps one stream in custom format, more dump in
    /// directory format from the same snapshot, each finished part streamed into the repository.
    public var jobs: Int
    /// Snapshots read their data from `postgres.standby_url` instead of the primary (`backup --from-standby`
    /// asks for it per run); logical backups always read the primary.
    public var fromStandby: Bool
    /// Threads a snapshot's archives are compressed, sealed and stored with; nil: one per online core.
    public var threads: Int?

    public init(
        type: BackupTypeSetting = .logical, databases: [String] = [], incremental: IncrementalSettings? = nil,
        jobs: Int = 1, fromStandby: Bool = false, threads: Int? = nil
    ) {
        self.type = type
        self.databases = databases
        self.incremental = incremental
        self.jobs = jobs
        self.fromStandby = fromStandby
        self.threads = threads
    }

    enum CodingKeys: String, CodingKey {
        case type, databases, incremental, jobs, threads
        case fromStandby = "from_standby"
    }

    public static let jobsRange = 1...64
    public static let threadsRange = 1...64
}
