// Log handlers for stderr: readable text by default, one JSON object per line with --log-format json.
// Default level: warning for text (cron mails stay quiet), info for json (log shippers want the events);
// LIFEBOAT_LOG_LEVEL overrides; --quiet keeps errors only.
import Foundation
import Logging

enum LogSetup {
    static func makeLogger(command: String, options: GlobalOptions, environment: [String: String]) -> Logger {
        let format = options.logFormat
        var logger = Logger(label: "lifeboat") { _ -> any LogHandler in
            format == .json ? JSONLogHandler(command: command) : TextLogHandler()
        }
        let fallback: Logger.Level = format == .json ? .info : .warning
        logger.logLevel =
            options.quiet ? .error : environment["LIFEBOAT_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? fallback
        return logger
    }
}

struct TextLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let text = "\(event.level.rawValue): \(event.message)" + (fields.isEmpty ? "" : " " + fields) + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }
}

struct JSONLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    let command: String

    init(command: String) { self.command = command }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var object: [String: String] = [
            "level": event.level.rawValue, "message": event.message.description, "command": command,
            "time": ISO8601DateFormatter().string(from: Date()),
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            object[key] = "\(value)"
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        FileHandle.standardError.write(data + Data("\n".utf8))
    }
}
