// PhysicalRestoreRequest: what the operator (or a drill) asks of a snapshot restore, before anything is
// resolved; `PhysicalRestore.plan` turns it into a plan that names one snapshot.
import Catalog
import Foundation

public struct PhysicalRestoreRequest: Sendable {
    public var reference: String
    public var dataDirectory: String
    public var toTime: Date?
    public var toLSN: LSN?
    /// A restore point made with `pg_create_restore_point(name)` (recovery_target_name).
    public var toName: String?
    public var targetAction: String
    public var clean: Bool
    public var start: Bool
    public var port: Int?
    /// Absolute paths for restore_command.
    public var configPath: String
    public var binaryPath: String
    /// Where user tablespaces go (`--tablespace-map`); unmapped ones go back to their source location.
    public var tablespaceMap: [TablespaceMapOption]
    /// How archived objects are made readable before they are read (`--wait`, `--rehydrate-tier`, …).
    public var rehydration: RehydrationOptions

    public init(
        reference: String, dataDirectory: String, toTime: Date?, toLSN: LSN?, toName: String? = nil,
        targetAction: String, clean: Bool, start: Bool, port: Int?, configPath: String, binaryPath: String,
        tablespaceMap: [TablespaceMapOption] = [],
        rehydration: RehydrationOptions = RehydrationOptions(wait: false)
    ) {
        self.reference = reference
        self.dataDirectory = dataDirectory
        self.toTime = toTime
        self.toLSN = toLSN
        self.toName = toName
        self.targetAction = targetAction
        self.clean = clean
        self.start = start
        self.port = port
        self.configPath = configPath
        self.binaryPath = binaryPath
        self.tablespaceMap = tablespaceMap
        self.rehydration = rehydration
    }

    /// Whether recovery stops at a target (time, position or restore point) rather than the end of the WAL.
    var hasTarget: Bool { toTime != nil || toLSN != nil || toName != nil }
}
