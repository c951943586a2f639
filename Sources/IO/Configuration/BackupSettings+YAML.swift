// Reading the `backup:` section: the default backup type, the databases of logical backups and their pg_dump jobs,
// whether snapshots come from the standby, and the threads of a snapshot.
import Policy

extension BackupSettings {
    static let keys = ["type", "databases", "incremental", "jobs", "from_standby", "threads"]
    static let incrementalKeys = ["full_every", "max_chain"]

    /// `standbyConfigured`: whether `postgres.standby_url` is set, which `from_standby: true` needs.
    static func read(from root: MappingReader, standbyConfigured: Bool = false) throws -> BackupSettings {
        guard let section = try root.mapping("backup", accepted: keys) else { return BackupSettings() }
        let type = try section.choice("type", of: BackupTypeSetting.self) ?? .logical
        let jobs = try section.int("jobs") ?? 1
        guard jobsRange.contains(jobs) else {
            throw section.invalid(
                "jobs", value: String(jobs), accepted: "1...64 pg_dump workers",
                hint: "1 dumps one stream; the number of cores the server can spare is a good upper bound")
        }
        let fromStandby = try section.bool("from_standby") ?? false
        if fromStandby && !standbyConfigured {
            throw section.invalid(
                "from_standby", value: "true", accepted: "true only when 'postgres.standby_url' is set",
                hint: "add 'standby_url: postgresql://USER@STANDBY:PORT/postgres' under 'postgres:'")
        }
        return BackupSettings(
            type: type, databases: try databases(in: section), incremental: try incremental(in: section), jobs: jobs,
            fromStandby: fromStandby, threads: try threads(in: section))
    }

    /// `threads: N`; absent means one per online core, decided where the snapshot runs.
    private static func threads(in section: MappingReader) throws -> Int? {
        guard let threads = try section.int("threads") else { return nil }
        guard threadsRange.contains(threads) else {
            throw section.invalid(
                "threads", value: String(threads), accepted: "1...64 threads per snapshot",
                hint: "1 compresses on one thread as before; remove the key to use one thread per core")
        }
        return threads
    }

    /// `incremental: { full_every: 7d, max_chain: 14 }`; `incremental: {}` takes both defaults.
    private static func incremental(in section: MappingReader) throws -> IncrementalSettings? {
        guard let mapping = try section.mapping("incremental", accepted: incrementalKeys) else { return nil }
        return IncrementalSettings(
            fullEvery: try mapping.duration("full_every") ?? IncrementalSettings.defaultFullEvery,
            maxChain: try mapping.count(
                "max_chain", minimum: 1, hint: "remove backup.incremental to take only full snapshots")
                ?? IncrementalSettings.defaultMaxChain)
    }

    private static func databases(in section: MappingReader) throws -> [String] {
        guard let items = try section.scalarList("databases", expected: "a list of database names") else { return [] }
        var seen: Set<String> = []
        for item in items {
            let location = SourceLocation(file: section.file, line: item.line)
            guard NameRules.isValidDatabase(item.text) else {
                throw ConfigError.invalidValue(
                    key: section.keyPath("databases"), at: location,
                    value: SecretRedactor.redact(item.text), accepted: NameRules.databaseRule, hint: nil)
            }
            guard seen.insert(item.text).inserted else {
                throw ConfigError.invalidValue(
                    key: section.keyPath("databases"), at: location, value: SecretRedactor.redact(item.text),
                    accepted: "each database once", hint: "remove the repeated name")
            }
        }
        return items.map(\.text)
    }
}
