// ArchiveCheck: the archiving part of `lifeboat check`. It reads archive_mode and archive_command, and then
// proves archiving end to end: it forces a WAL switch and waits (bounded) until the switched-out segment has a
// committed record in the repository (docs/format.md §8: a file is archived exactly when its record exists).
//
// Archiving matters for snapshots and point-in-time restore only. A logical-only user (backup.type logical and
// archive_mode off) gets an ok "not configured"; with backup.type snapshot, archive_mode off is a failure. With
// backup.type logical and an archive_command that does not run lifeboat (archiving for another tool), the
// command is a warning and the WAL switch is skipped; with backup.type snapshot it is forced and must succeed.
import Catalog
import Diagnostics
import Foundation
import PGClient

/// One line of the archiving checks; failures are thrown by the check itself, so only these three remain.
public struct ArchiveFinding: Sendable {
    public enum Status: String, Sendable { case ok, warning, skipped }
    public let status: Status
    public let detail: String
    public let hint: String?

    init(_ status: Status, _ detail: String, hint: String? = nil) {
        self.status = status
        self.detail = detail
        self.hint = hint
    }
}

public struct ArchiveCheck {
    let context: EngineContext
    /// The absolute configuration path and this binary: the archive_command we recommend names both.
    let configPath: String
    let binaryPath: String
    static let defaultWaitSeconds = 60.0

    public init(context: EngineContext, configPath: String, binaryPath: String) {
        self.context = context
        self.configPath = configPath
        self.binaryPath = binaryPath
    }

    var waitSeconds: Double {
        context.seconds(fromEnvironment: "LIFEBOAT_CHECK_WAL_SECONDS", default: Self.defaultWaitSeconds)
    }

    /// The archive_command this configuration needs, as a shell command.
    public var recommendedCommand: String {
        Quoting.shell(binaryPath) + " --config " + Quoting.shell(configPath) + " wal push %p"
    }

    /// The postgresql.conf line to use.
    public var recommendedLine: String { "archive_command = " + Quoting.conf(recommendedCommand) }

    func connect() throws -> any PostgresSession {
        try context.postgres.connect(try ConnectionInfo(context.config.postgres.url), applicationName: "lifeboat check")
    }

    func setting(_ connection: any PostgresSession, _ name: String) throws -> String {
        try connection.query("SELECT coalesce(current_setting($1, true), '')", [name]).rows.first?[0] ?? ""
    }

    // MARK: archive_mode

    /// Whether archiving is switched on; `needed` says whether the rest of the archiving checks should run.
    public func mode() throws -> (finding: ArchiveFinding, needed: Bool) {
        let connection = try connect()
        defer { connection.close() }
        let mode = try setting(connection, "archive_mode")
        let wantsSnapshots = context.config.backup.type == .snapshot
        if mode == "off" {
            if wantsSnapshots { throw ArchiveCheckError.archivingOff(recommendedLine: recommendedLine) }
            return (ArchiveFinding(.ok, "not configured (only needed for snapshots and point-in-time restore)"), false)
        }
        return (ArchiveFinding(.ok, "archive_mode = \(mode)"), true)
    }

    // MARK: archive_command

    /// archive_command should run `lifeboat … wal push %p` with this configuration; anything else is a warning
    /// naming the exact line to use (the WAL switch below proves whether it works). `invokesLifeboat` is false
    /// when the command does not push with lifeboat at all.
    public func command() throws -> (finding: ArchiveFinding, invokesLifeboat: Bool) {
        let connection = try connect()
        defer { connection.close() }
        let library = try setting(connection, "archive_library")
        if !library.isEmpty {
            return (
                ArchiveFinding(
                    .warning,
                    "archive_library = '\(library)' is set, so archive_command is ignored and WAL does not reach lifeboat",
                    hint: "set archive_library = '' and \(recommendedLine), then reload the server"), false
            )
        }
        let command = try setting(connection, "archive_command")
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        }
        let pushes = words.indices.contains { index in
            index + 2 < words.count && words[index] == "wal" && words[index + 1] == "push" && words[index + 2] == "%p"
        }
        guard pushes else {
            let shown = command.isEmpty ? "empty" : "'\(command)'"
            return (
                ArchiveFinding(
                    .warning, "archive_command is \(shown), not lifeboat's 'wal push %p'",
                    hint: "set \(recommendedLine) in postgresql.conf (or ALTER SYSTEM), then reload the server"), false
            )
        }
        if let index = words.firstIndex(of: "--config"), index + 1 < words.count {
            let named = URL(fileURLWithPath: words[index + 1]).standardizedFileURL.resolvingSymlinksInPath().path
            let ours = URL(fileURLWithPath: configPath).standardizedFileURL.resolvingSymlinksInPath().path
            if named != ours {
                return (
                    ArchiveFinding(
                        .warning,
                        "archive_command '\(command)' uses configuration '\(words[index + 1])', not '\(configPath)'",
                        hint: "if WAL should go to this repository, set \(recommendedLine), then reload the server"),
                    true
                )
            }
        } else if !words.contains(where: { $0.hasPrefix("--config=") }) {
            return (
                ArchiveFinding(
                    .warning,
                    "archive_command '\(command)' names no --config: lifeboat then looks in the server's data directory, $LIFEBOAT_CONFIG and /etc/lifeboat/lifeboat.yml",
                    hint: "name the configuration explicitly: \(recommendedLine)"), true
            )
        }
        return (ArchiveFinding(.ok, "'\(command)'"), true)
    }

    // MARK: WAL switch

    /// Forces a WAL switch and waits until the completed segment has a record in the repository.
    public func switchAndWait(repository: Repository, keyring: Keyring) throws -> ArchiveFinding {
        let connection = try connect()
        defer { connection.close() }
        if try connection.query("SELECT pg_is_in_recovery()::text").rows.first?[0] == "true" {
            return ArchiveFinding(
                .skipped, "skipped: the server is in recovery (a standby), where pg_switch_wal() is not possible")
        }
        let allowed = try connection.query(
            "SELECT has_function_privilege('pg_catalog.pg_switch_wal()', 'EXECUTE')::text"
        ).rows.first?[0]
        guard allowed == "true" else {
            let role = (try? connection.query("SELECT current_user::text").rows.first?[0] ?? nil) ?? "?"
            return ArchiveFinding(
                .skipped,
                "skipped: role '\(role)' may not run pg_switch_wal() (needs superuser or GRANT EXECUTE ON FUNCTION pg_switch_wal() TO \(role))"
            )
        }
        // A tiny WAL record first, so the switch really completes a segment that was written just now (on an
        // idle server pg_switch_wal() does nothing and names a segment that may predate this configuration).
        _ = try? connection.query("SELECT pg_logical_emit_message(false, 'lifeboat check', '')")
        guard let name = try connection.query("SELECT pg_walfile_name(pg_switch_wal())").rows.first?[0] ?? nil,
            let walName = WALName(name)
        else {
            throw ArchiveCheckError.unexpected("pg_walfile_name(pg_switch_wal()) gave no segment name")
        }
        let archive = WALArchive(context: context, repository: repository, keyring: keyring)
        let started = Date()
        let deadline = started.addingTimeInterval(waitSeconds)
        while true {
            if try archive.record(walName) != nil {
                return ArchiveFinding(
                    .ok,
                    String(
                        format: "switched WAL; segment %@ arrived in the repository after %.1f s", name,
                        Date().timeIntervalSince(started)))
            }
            if Date() >= deadline { break }
            Thread.sleep(forTimeInterval: 0.25)
        }
        let command = (try? setting(connection, "archive_command")) ?? "?"
        let stats = try? connection.query(
            "SELECT last_failed_wal, last_failed_time::text, last_archived_wal FROM pg_stat_archiver"
        ).rows.first
        // The server thinks the segment is archived, yet it is not in this repository: the command "succeeds" elsewhere.
        let lastArchived = stats?[2] ?? nil
        throw ArchiveCheckError.segmentNotArchived(
            name: name, seconds: waitSeconds, archiveCommand: command,
            lastFailedWAL: stats?[0] ?? nil, lastFailedTime: stats?[1] ?? nil,
            archivedElsewhere: lastArchived.map { $0 >= name } ?? false,
            recommendedLine: recommendedLine)
    }
}

public enum ArchiveCheckError: LifeboatError {
    case archivingOff(recommendedLine: String)
    case segmentNotArchived(
        name: String, seconds: Double, archiveCommand: String, lastFailedWAL: String?, lastFailedTime: String?,
        archivedElsewhere: Bool, recommendedLine: String)
    case unexpected(String)

    public var exitStatus: ExitStatus { .failure }

    public var message: String {
        switch self {
        case .archivingOff:
            return
                "archive_mode is off, but backup.type is snapshot: snapshots and point-in-time restore need continuous WAL archiving"
        case .segmentNotArchived(let name, let seconds, let command, let failedWAL, let failedTime, let elsewhere, _):
            var text =
                "WAL segment \(name) did not reach the repository within \(Int(seconds)) s after pg_switch_wal(); archive_command is '\(command)'"
            if elsewhere {
                text +=
                    "; the server reports it archived (pg_stat_archiver.last_archived_wal), so archive_command succeeds without storing it here"
            }
            if let failedWAL {
                text +=
                    "; pg_stat_archiver.last_failed_wal is '\(failedWAL)'"
                    + (failedTime.map { " (last_failed_time \($0))" } ?? "")
            }
            return text
        case .unexpected(let detail): return "unexpected answer from the server: \(detail)"
        }
    }

    public var hint: String? {
        switch self {
        case .archivingOff(let line):
            return "set archive_mode = on and \(line) in postgresql.conf, then restart the server"
        case .segmentNotArchived(_, _, _, _, _, _, let line):
            return "make archive_command run successfully as the server's OS user (\(line)); "
                + "SELECT last_failed_wal, last_failed_time FROM pg_stat_archiver and the server log show why it fails"
        case .unexpected: return nil
        }
    }
}
