// EngineContext: what every engine gets from the command layer instead of reaching for globals: the
// configuration, a logger, the progress display, the environment, the clock and how to reach PostgreSQL.
import Catalog
import Configuration
import Foundation
import Logging
import PGClient

public struct EngineContext: Sendable {
    public let config: LifeboatConfig
    public let logger: Logger
    public let progress: ProgressReporter
    public let environment: [String: String]
    public let now: @Sendable () -> Date
    /// Opens the SQL sessions of checks, restore planning, drill checks and heartbeats (libpq unless a test
    /// injects a scripted server).
    public let postgres: PostgresConnector

    public init(
        config: LifeboatConfig, logger: Logger, progress: ProgressReporter,
        environment: [String: String], now: @escaping @Sendable () -> Date = { Date() },
        postgres: PostgresConnector = .libpq
    ) {
        self.config = config
        self.logger = logger
        self.progress = progress
        self.environment = environment
        self.now = now
        self.postgres = postgres
    }

    /// The environment of PostgreSQL client tools: without the repository's secrets (ChildEnvironment).
    public var toolEnvironment: [String: String] {
        ChildEnvironment.clientTools(environment, encryption: config.encryption)
    }

    /// The environment of servers lifeboat starts (drill scratch clusters, `restore --start`) and of initdb/pg_ctl.
    public var serverEnvironment: [String: String] {
        ChildEnvironment.server(environment, encryption: config.encryption)
    }

    /// A positive number of seconds from `variable` (tests shorten waits with it), else `fallback`.
    func seconds(fromEnvironment variable: String, default fallback: Double) -> Double {
        Double(environment[variable] ?? "").flatMap { $0 > 0 ? $0 : nil } ?? fallback
    }

    public static let toolVersion = "0.1.0"

    /// This binary on this host, as manifests, WAL records and drill evidence name their writer.
    static var toolInfo: ToolInfo {
        ToolInfo(name: "lifeboat", version: toolVersion, host: ProcessInfo.processInfo.hostName)
    }

    /// The configured compression, as manifests and WAL records record it.
    var compressionInfo: CompressionInfo {
        CompressionInfo(algorithm: config.compression.algorithm.rawValue, level: config.compression.level)
    }

    /// WAL objects' compression: `compression`'s algorithm at `wal.compression_level` (default 1, whatever
    /// `compression.level` is: WALSettings.defaultCompressionLevel).
    var walCompressionLevel: Int { config.wal.compressionLevel ?? WALSettings.defaultCompressionLevel }
    var walCompressionInfo: CompressionInfo {
        CompressionInfo(algorithm: config.compression.algorithm.rawValue, level: walCompressionLevel)
    }
}
