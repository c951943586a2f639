// HealthCheckTraceTests: `check` opens the repository with the engine's logger, as every other command does, so
// at trace level its store operations are logged too.
import Configuration
import Foundation
import Logging
import Storage
import XCTest

@testable import Engine

final class HealthCheckTraceTests: XCTestCase {
    /// Keeps every message logged through it.
    final class CapturedLog: LogHandler, @unchecked Sendable {
        let lock = NSLock()
        var lines: [String] = []
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            lock.withLock { lines.append("\(event.message)") }
        }

        var captured: [String] { lock.withLock { lines } }
    }

    func testTheRepositoryChecksLogStoreOperationsAtTraceLevel() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("check-trace-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = Repository(store: try LocalStore(root: root.path, create: true))
        _ = try Repository.initialize(
            repository, credential: .keyFile(path: "test", key: Array(repeating: 3, count: 32)),
            now: Date())
        let config = try ConfigLoader.parse(
            yaml: """
                cluster: main
                postgres:
                  url: "postgresql://postgres@127.0.0.1:1/postgres"
                repository:
                  url: "file://\(root.path)"
                encryption:
                  key_file: /nonexistent/lifeboat-engine-tests.key
                """, sourcePath: "/nonexistent/lifeboat.yml")
        let log = CapturedLog()
        var logger = Logger(label: "check-trace") { _ in log }
        logger.logLevel = .trace
        let context = EngineContext(
            config: config, logger: logger, progress: ProgressReporter(enabled: false),
            environment: [:])

        _ = try HealthCheck(context: context).exclusiveCreate()
        let store = "store file://\(root.path): "
        XCTAssertTrue(
            log.captured.contains { $0.hasPrefix(store + "createExclusive 'locks/probe-") },
            "\(log.captured)")
        XCTAssertTrue(log.captured.contains { $0.hasPrefix(store + "delete 'locks/probe-") }, "\(log.captured)")
    }
}
