// DrillRestore+YAML: the `restore:` section of a drill file — what kind of backup to restore, which one, and
// the options that only make sense for one kind (a database for logical, a recovery time for snapshots).
import Foundation
import Policy

extension DrillRestore {
    static let keys = ["type", "backup", "random_within", "database", "to_time"]
    static let backupForms = "'latest', 'random', or a backup id such as '20261121T195312Z-3f9a2c'"
    static let timeForm = "an RFC 3339 timestamp with a zone, such as '2026-11-21T03:14:00Z'"

    static func read(from root: MappingReader) throws -> DrillRestore {
        guard let section = try root.mapping("restore", accepted: keys) else {
            throw root.missing("restore", hint: "add 'restore: { type: logical }' (or 'type: snapshot')")
        }
        guard let kind = try section.choice("type", of: DrillRestoreKind.self) else {
            throw section.missing(
                "type", hint: "add 'type: logical' (a pg_dump backup) or 'type: snapshot' (a whole cluster)")
        }
        return DrillRestore(
            kind: kind, backup: try backup(in: section),
            database: try database(in: section, kind: kind),
            toTime: try toTime(in: section, kind: kind))
    }

    // MARK: - which backup

    private static func backup(in section: MappingReader) throws -> DrillBackupChoice {
        let text = try section.string("backup") ?? "latest"
        let window = try section.duration("random_within")
        switch text {
        case "random":
            guard let window else {
                throw section.missing(
                    "random_within", hint: "add 'random_within: 7d' (how far back 'backup: random' may pick)")
            }
            return .randomWithin(window)
        case _ where window != nil:
            throw section.invalid(
                "random_within", value: nil, accepted: "only with 'backup: random'",
                hint: "remove 'random_within', or set 'backup: random'")
        case "latest":
            return .latest
        case _ where isBackupID(text):
            return .id(text)
        default:
            throw section.invalid(
                "backup", value: text, accepted: backupForms,
                hint: "list backup ids with 'lifeboat list'")
        }
    }

    /// yyyyMMddTHHmmssZ-xxxxxx with lower-case hex: Catalog's BackupID rule, repeated here because
    /// Configuration does not depend on Catalog (the engine still looks the id up, which is the real check).
    static func isBackupID(_ text: String) -> Bool {
        let characters = Array(text)
        guard characters.count == 23, characters[8] == "T", characters[15] == "Z", characters[16] == "-" else {
            return false
        }
        let digits = characters[0..<8] + characters[9..<15]
        return digits.allSatisfy { $0.isASCII && $0.isNumber }
            && characters[17...].allSatisfy { "0123456789abcdef".contains($0) }
    }

    // MARK: - kind-specific options

    private static func database(in section: MappingReader, kind: DrillRestoreKind) throws -> String? {
        guard let name = try section.string("database") else { return nil }
        guard kind == .logical else {
            throw section.invalid(
                "database", value: nil, accepted: "only with 'type: logical'",
                hint: "a snapshot restores every database of the cluster; remove 'database'")
        }
        guard NameRules.isValidDatabase(name) else {
            throw section.invalid("database", value: name, accepted: NameRules.databaseRule)
        }
        return name
    }

    private static func toTime(in section: MappingReader, kind: DrillRestoreKind) throws -> Date? {
        guard let text = try section.string("to_time") else { return nil }
        guard kind == .snapshot else {
            throw section.invalid(
                "to_time", value: nil, accepted: "only with 'type: snapshot'",
                hint: "a logical backup restores to the moment of its dump; remove 'to_time'")
        }
        guard let date = parseTimestamp(text) else {
            throw section.invalid(
                "to_time", value: text, accepted: timeForm,
                hint: "quote it and give the zone ('Z' or '+01:00'); remove it to replay to the newest archived WAL")
        }
        return date
    }

    /// RFC 3339 with or without fractional seconds. A zone is required: a drill must not mean a different
    /// moment on a host with another local time zone.
    static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
