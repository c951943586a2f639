// ServerManifestIndex: the file list of a parent snapshot, read from the server's own backup manifest (the
// `backup_manifest` stream, docs/format.md §6.5) line by line: PostgreSQL writes one file per line,
// `{ "Path": "base/1/1259", "Size": 8192, "Last-Modified": "2026-11-21 03:14:00 GMT" }` (or "Encoded-Path", hex,
// for a name that is not UTF-8). Memory holds one entry per file and one line, whatever the manifest's size.
import Foundation

public struct ServerManifestIndex: Sendable {
    public struct File: Sendable, Equatable {
        public var size: Int64
        /// Seconds since the epoch (the manifest has whole seconds, UTC).
        public var modified: Int64
        public init(size: Int64, modified: Int64) {
            self.size = size
            self.modified = modified
        }
    }

    public private(set) var files: [String: File] = [:]
    /// The manifest's `System-Identifier` (version 2 manifests, PostgreSQL 17+), when present.
    public private(set) var systemIdentifier: String?
    private var pending: [UInt8] = []
    private var sawFiles = false

    public init() {}

    public subscript(path: String) -> File? { files[path] }

    /// Feeds the next bytes of the manifest.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws {
        var start = bytes.startIndex
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            pending.append(contentsOf: bytes[start..<index])
            try line(pending)
            pending.removeAll(keepingCapacity: true)
            start = index + 1
        }
        pending.append(contentsOf: bytes[start..<bytes.endIndex])
    }

    /// After the last bytes: the manifest must have had a file list.
    public mutating func finish() throws {
        if !pending.isEmpty { try line(pending) }
        pending = []
        guard sawFiles else { throw ServerManifestError.malformed("it has no \"Files\" list") }
    }

    private mutating func line(_ bytes: [UInt8]) throws {
        var text = Substring(String(decoding: bytes, as: UTF8.self)).trimmingCharacters(in: .whitespaces)[...]
        if text.hasPrefix("\"Files\"") { sawFiles = true }
        if text.hasPrefix("\"System-Identifier\":") {
            systemIdentifier = text.dropFirst(20).trimmingCharacters(in: CharacterSet(charactersIn: " ,"))
        }
        guard text.hasPrefix("{ \"Path\"") || text.hasPrefix("{ \"Encoded-Path\"") || text.hasPrefix("{\"") else {
            return
        }
        if text.hasSuffix(",") { text = text.dropLast() }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ServerManifestError.malformed("a file line does not parse: \(text.prefix(200))")
        }
        guard let path = Self.path(object), let size = (object["Size"] as? NSNumber)?.int64Value,
            let modified = (object["Last-Modified"] as? String).flatMap(Self.epochSeconds)
        else {
            throw ServerManifestError.malformed("a file line lacks Path, Size or Last-Modified: \(text.prefix(200))")
        }
        files[path] = File(size: size, modified: modified)
    }

    private static func path(_ object: [String: Any]) -> String? {
        if let path = object["Path"] as? String { return path }
        guard let hex = object["Encoded-Path"] as? String, hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        // Not UTF-8: no tar entry name will equal it, so the file is simply not found (and stored whole).
        return String(bytes: bytes, encoding: .utf8)
    }

    /// `YYYY-MM-DD HH:MM:SS GMT` to seconds since the epoch.
    static func epochSeconds(_ text: String) -> Int64? {
        let fields = text.split(whereSeparator: { "- :".contains($0) })
        guard fields.count == 7, fields[6] == "GMT" else { return nil }
        let numbers = fields.prefix(6).compactMap { Int64($0) }
        guard numbers.count == 6 else { return nil }
        let days = daysFromCivil(year: numbers[0], month: numbers[1], day: numbers[2])
        return days * 86400 + numbers[3] * 3600 + numbers[4] * 60 + numbers[5]
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }
}

public enum ServerManifestError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    public var description: String {
        switch self {
        case .malformed(let detail): return "the parent's server manifest is malformed: \(detail)"
        }
    }
}
