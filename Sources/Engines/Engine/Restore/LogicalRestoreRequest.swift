// LogicalRestoreRequest: what the operator (or a drill) asks of a logical restore, before anything is resolved;
// `LogicalRestore.plan` turns it into a plan that names one backup.
public struct LogicalRestoreRequest: Sendable {
    public var reference: String
    public var database: String?
    public var target: String?
    public var jobs: Int
    public var clean: Bool
    public var globals: Bool
    public var noOwner: Bool
    /// Apply the database's recorded settings, comment and privileges to the target (`--no-database-settings`
    /// turns it off).
    public var databaseSettings: Bool
    /// How archived objects are made readable before they are read (`--wait`, `--rehydrate-tier`, …).
    public var rehydration: RehydrationOptions

    public init(
        reference: String, database: String?, target: String?, jobs: Int, clean: Bool, globals: Bool,
        noOwner: Bool,
        rehydration: RehydrationOptions = RehydrationOptions(wait: false), databaseSettings: Bool = true
    ) {
        self.reference = reference
        self.database = database
        self.target = target
        self.jobs = jobs
        self.clean = clean
        self.globals = globals
        self.noOwner = noOwner
        self.rehydration = rehydration
        self.databaseSettings = databaseSettings
    }
}
