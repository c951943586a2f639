// The fault suite's corruption part (docs/faults.md): random single-byte flips, truncations and swaps
// of two objects' contents across every kind of object of a small file:// repository — data objects, manifests,
// pin records, the keyring, key slots, WAL objects, WAL records, the WAL system record, prune journal records,
// drill evidence and repository.json — each followed by the commands that must read the damaged object.
//
// One pristine repository is built once (a logical backup of a 300-row database and a second one after a key
// rotation, both pinned; a snapshot with archived WAL; a second key-file slot; two drill runs; two prune runs),
// frozen, and every trial works on a hard-linked copy of it in which only the mutated objects are rewritten
// (new inodes: the pristine files are never touched, which the test checks at the end).
//
// A trial passes when every one of its commands
//   - is detected: exits 4 (integrity failure);
//   - names the object: the damaged object's full key (for a swap: at least one of the two) is in stderr;
//   - applied nothing to a restore target:
//       logical restore (`restore ID --target URL --globals`, URL naming a new database): afterwards the database
//         does not exist, or exists without a single relation outside pg_catalog/information_schema/pg_toast;
//       physical restore (`restore ID --data-dir DIR`, DIR new): afterwards DIR does not exist or holds no regular
//         file at any depth (so it cannot be a startable data directory: no PG_VERSION, no global/pg_control);
//       `wal get NAME DEST`: afterwards DEST does not exist and no `.DEST.lifeboat-*.tmp` is left beside it.
// Before the trials, every command runs once against an unmodified copy and must succeed (and each restore must
// apply, which proves the "applied" checks can see an applied restore).
//
// Plain-JSON objects (repository.json, key slots) are not sealed; their bytes are only as protected as the
// reader's checks. Left out of the flips, because no reader checks them and they change nothing but what is
// displayed (see the report of the branch that added this suite):
//   repository.json  "id" (shown by `check`), "created" (shown nowhere);
//   key slots        "label" (shown by `key list`), "created" (shown by `key list`).
// A mutation of a plain-JSON object that leaves the same JSON document (a space flipped into a tab, the final
// newline cut) is redrawn: there is nothing to detect. A key slot's damage can only be noticed by the credential
// that opens it (any other credential cannot tell a damaged slot from someone else's), so slot trials unlock
// with the damaged slot's own key file.
//
// LIFEBOAT_CORRUPTION_TRIALS (default 120; scripts/faults.sh runs 1000), LIFEBOAT_CORRUPTION_SEED (default:
// random, printed), LIFEBOAT_CORRUPTION_ONLY=N,M (run only those trial numbers of that seed),
// LIFEBOAT_CORRUPTION_KEEP=DIR (copy the pristine repository, keys, configuration and drill file there).
// Every command of every trial is a JSON line in $LIFEBOAT_FAULTS_REPORT when set.
import Foundation
import PGClient
import TestSupport
import XCTest

final class CorruptionTests: XCTestCase {
    static let policy = """
        name: corruption
        safety: { min_age: 1d, min_complete: 1 }
        objectives: { rpo: 1h, rto: 1h, drill_every: 1d }
        """

    struct Fixture {
        let env: TestEnvironment
        let workspace: Workspace
        let source: String
        let pristine: String
        let files: [String: Data]
        let byKind: [CorruptedKind: [String]]
        /// Slot id → the key file that opens it.
        let slotKeys: [String: String]
        /// Backup id → "logical" | "snapshot".
        let backupKinds: [String: String]
        let drillFile: String
        let policyFile: String
        let trials: String
    }

    struct TrialOutcome {
        let index: Int
        let mutation: Mutation
        var rows:
            [(command: TrialCommand, result: RunResult, detected: Bool, named: Bool, applied: Bool, note: String)] = []
        var seconds: Double = 0
        var passed: Bool { rows.allSatisfy { $0.detected && $0.named && !$0.applied } }
    }

    func testRandomCorruptionOfEveryKindOfObjectIsDetectedNamedAndAppliesNothing() throws {
        let env = try TestEnvironment.require()
        let environment = ProcessInfo.processInfo.environment
        let trialCount = Int(environment["LIFEBOAT_CORRUPTION_TRIALS"] ?? "") ?? 120
        let seed = UInt64(environment["LIFEBOAT_CORRUPTION_SEED"] ?? "") ?? UInt64.random(in: 0 ... .max)
        let only = Set((environment["LIFEBOAT_CORRUPTION_ONLY"] ?? "").split(separator: ",").compactMap { Int($0) })
        print(
            "corruption suite: seed \(seed) (LIFEBOAT_CORRUPTION_SEED=\(seed) reproduces the draws), \(trialCount) trials"
        )

        let buildStart = Date()
        let fixture = try buildFixture(env)
        print(
            "corruption suite: pristine repository of \(fixture.files.count) objects, "
                + "\(fixture.files.values.reduce(0) { $0 + $1.count } / 1024) KiB, built in \(Int(Date().timeIntervalSince(buildStart))) s: "
                + fixture.byKind.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value.count)" }.joined(
                    separator: ", "))
        if let keep = environment["LIFEBOAT_CORRUPTION_KEEP"] { try keepCopy(fixture, at: keep) }

        try checkPristine(fixture)

        // (kind, mutation) pairs in a fixed order, so every pair is tried about equally often.
        let combinations: [(CorruptedKind, MutationKind)] = fixture.byKind.keys.sorted().flatMap { kind in
            MutationKind.allCases.filter { $0 != .swap || swappable(fixture, kind) }.map { (kind, $0) }
        }
        var outcomes: [TrialOutcome] = []
        var redrawn = 0
        for index in 0..<trialCount where only.isEmpty || only.contains(index) {
            var rng = SplitMix64.forTrial(index, seed: seed)
            let (kind, mutationKind) = combinations[index % combinations.count]
            guard let mutation = draw(fixture, kind, mutationKind, rng: &rng, redrawn: &redrawn) else {
                XCTFail("trial \(index) (seed \(seed)): no \(mutationKind) of a \(kind.rawValue) object could be drawn")
                continue
            }
            let outcome = try runTrial(fixture, index: index, mutation: mutation, seed: seed)
            outcomes.append(outcome)
            if !outcome.passed {
                for row in outcome.rows where !(row.detected && row.named && !row.applied) {
                    XCTFail(
                        """
                        trial \(index) (LIFEBOAT_CORRUPTION_SEED=\(seed) LIFEBOAT_CORRUPTION_ONLY=\(index)): \(mutation) — \
                        '\(row.command.label)' exit \(row.result.status), detected \(row.detected), named \(row.named), \
                        applied \(row.applied) \(row.note)
                        stderr: \(row.result.stderr.prefix(1500))
                        """)
                }
            }
        }
        summarize(outcomes, seed: seed, redrawn: redrawn)
        // The pristine copy is never written through the hard links.
        XCTAssertTrue(
            FileTree.contents(below: fixture.pristine) == fixture.files,
            "a trial changed the pristine repository")
    }

    /// The suite's own classification and equivalence rules, without a server.
    func testObjectsAreClassifiedByPrefixAndSuffixAndEquivalentJSONIsRecognised() throws {
        let expected: [String: CorruptedKind.Classification] = [
            "repository.json": .object(.descriptor),
            "keys/slot-6a220027.json": .object(.keySlot),
            "keys/keyring.lbx": .object(.keyring),
            "backups/main/20261121T195312Z-3f9a2c/manifest.lbx": .object(.manifest),
            "backups/main/20261121T195312Z-3f9a2c/pin.lbx": .object(.pin),
            "backups/main/20261121T195312Z-3f9a2c/db-0001.tar.zst.lbx": .object(.data),
            "backups/main/20261121T195312Z-3f9a2c/tblspc-16385.tar.zst.lbx": .object(.data),
            "wal/main/system-identifier.lbx": .object(.walSystem),
            "wal/main/00000001/000000010000000000000003.lbx": .object(.walObject),
            "wal/main/00000001/000000010000000000000003.0123456789abcdef.lbx": .object(.walObject),
            "wal/main/00000001/000000010000000000000003.meta.lbx": .object(.walRecord),
            "wal/main/history/00000002.history.0123456789abcdef.lbx": .object(.walObject),
            "wal/main/history/00000002.history.meta.lbx": .object(.walRecord),
            "prune/main/20261122T030000Z-0a1b2c.lbx": .object(.pruneJournal),
            "drills/main/20261121T030500Z-0a1b2c.lbx": .object(.evidence),
            "locks/cluster-main.lock": .ignored,
            ".tmp/host.1.abc.part": .ignored,
            "elsewhere/thing.lbx": .unknown,
        ]
        for (key, classification) in expected {
            XCTAssertEqual(CorruptedKind.classify(key), classification, key)
        }
        XCTAssertEqual(
            CorruptedKind.walName("wal/main/00000001/000000010000000000000003.0123456789abcdef.lbx"),
            "000000010000000000000003")
        XCTAssertEqual(
            CorruptedKind.walName("wal/main/00000001/000000010000000000000002.00000028.backup.meta.lbx"),
            "000000010000000000000002.00000028.backup")
        XCTAssertEqual(
            CorruptedKind.walName("wal/main/00000001/000000010000000000000002.00000028.backup.6d6b45f76ee928fc.lbx"),
            "000000010000000000000002.00000028.backup")
        XCTAssertEqual(
            CorruptedKind.walName("wal/main/00000001/000000010000000000000005.partial.lbx"),
            "000000010000000000000005.partial")
        XCTAssertEqual(CorruptedKind.walName("wal/main/history/00000002.history.lbx"), "00000002.history")

        let slot = Data(
            """
            {
              "created" : "2026-12-07T00:03:19.960Z",
              "id" : "5b862925",
              "kdf" : { "algorithm" : "hkdf-sha256", "salt" : "9Wl4nI3vnvEIi6e9f7WxI1a6Ygs4m/zaUVEBXTvyjkU=" },
              "label" : "second",
              "version" : 1
            }
            """.utf8)
        func replacing(_ old: String, _ new: String) -> Data {
            Data(String(decoding: slot, as: UTF8.self).replacingOccurrences(of: old, with: new).utf8)
        }
        XCTAssertTrue(MutationFactory.equivalentJSON(slot, replacing("\"id\" :", "\"id\"\t:")), "whitespace")
        // 'U' (20) and 'V' (21) differ only in the two bits a 32-byte value's last character does not use.
        XCTAssertTrue(MutationFactory.equivalentJSON(slot, replacing("jkU=", "jkV=")), "unused base64 bits")
        XCTAssertFalse(MutationFactory.equivalentJSON(slot, replacing("jkU=", "jkY=")), "a different salt")
        XCTAssertFalse(MutationFactory.equivalentJSON(slot, replacing("5b862925", "5b862924")), "a different id")
        XCTAssertFalse(MutationFactory.equivalentJSON(slot, replacing("\"version\" : 1", "\"version\" : 3")))
        XCTAssertFalse(MutationFactory.equivalentJSON(slot, slot.prefix(slot.count - 1)), "truncated")
        let text = String(decoding: slot, as: UTF8.self) as NSString
        let advisory = MutationFactory.advisoryRanges(.keySlot, slot)
        XCTAssertEqual(
            advisory.map { text.substring(with: NSRange(location: $0.lowerBound, length: $0.count)) }.sorted(),
            ["\"created\" : \"2026-12-07T00:03:19.960Z\"", "\"label\" : \"second\""])
    }

    // MARK: - the pristine repository

    func buildFixture(_ env: TestEnvironment) throws -> Fixture {
        let source = TestEnvironment.uniqueName("corrupt")
        try SampleDatabase.create(env, name: source, rows: 300)
        addTeardownBlock { SampleDatabase.drop(env, source) }
        // A workspace archiving the scratch server's WAL, with a first snapshot.
        let scenario = try archivingScenario(env, name: "corrupt")
        let workspace = scenario.workspace
        let admin = scenario.admin
        try workspace.writePolicy(Self.policy)
        let policyFile = workspace.directory + "/retention.yml"

        @discardableResult
        func run(_ arguments: [String]) throws -> RunResult {
            let result = try workspace.lifeboat(arguments)
            guard result.status == 0 else {
                XCTFail(
                    "building the pristine repository: '\(arguments.joined(separator: " "))' exits \(result.status): \(result.output)"
                )
                throw XCTSkip("cannot build the pristine repository")
            }
            return result
        }
        func id(_ result: RunResult) throws -> String {
            try XCTUnwrap(try workspace.json(result)["id"] as? String, result.stdout)
        }

        let logical1 = try id(try run(["backup", "--database", source, "--json"]))
        // A second key-file slot, and a rotation: the second backup is sealed under another data key.
        let secondKey = workspace.directory + "/second.key"
        XCTAssertEqual(try runLifeboat(env, ["key", "generate", "--output", secondKey]).status, 0)
        let secondSlot = try id(try run(["key", "add", "--key-file", secondKey, "--label", "second", "--json"]))
        try run(["key", "rotate"])
        // archive_command runs as the postgres OS user: it must read the keyring and slots root just rewrote.
        try chownToPostgres(workspace.directory)
        let logical2 = try id(try run(["backup", "--database", source, "--json"]))
        try run(["pin", logical1])
        try run(["pin", logical2, "--until", "2099-12-31"])

        // WAL after the snapshot: two more segments switched out and archived.
        for round in 1...2 {
            try admin.execute(
                """
                INSERT INTO \(scenario.table) SELECT i, 'round \(round)'
                FROM generate_series(\(round * 1000), \(round * 1000 + 299)) AS i
                """)
            try waitUntilArchived(admin, try scenario.switchWAL())
        }

        // Two drill runs (logical, into a scratch database on the test server): two evidence records.
        let drillFile = try workspace.writeDrill(
            "corruption-drill",
            """
            restore: { type: logical, database: \(source) }
            target: { scratch: database, url: "\(env.url(database: "postgres"))" }
            checks: { row_counts: true }
            cadence: 1d
            """)
        try run(["drill", "run", drillFile])
        try run(["drill", "run", drillFile])

        // Two prune runs, the first removing a failed run's leftover: two journal records.
        let leftover = workspace.repository + "/backups/main/20200101T000000Z-00dea1"
        try FileManager.default.createDirectory(atPath: leftover, withIntermediateDirectories: true)
        try Data(repeating: 7, count: 1000).write(to: URL(fileURLWithPath: leftover + "/db-0001.tar.zst.lbx"))
        try run(["prune"])
        Thread.sleep(forTimeInterval: 1.05)
        try run(["prune"])
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: leftover + "/db-0001.tar.zst.lbx"), "prune removed the leftover")

        // Freeze: stop archiving into the workspace, then copy its repository.
        try scenario.stopArchiving()
        Thread.sleep(forTimeInterval: 1)
        let verified = try workspace.lifeboat(["verify", "--all", "--wal"])
        XCTAssertEqual(verified.status, 0, "the pristine repository verifies: \(verified.output)")
        let pristine = workspace.directory + "/pristine"
        XCTAssertEqual(try ProcessRunner.run("/bin/cp", ["-a", workspace.repository, pristine]).status, 0)
        try chownToPostgres(workspace.directory)

        let files = FileTree.contents(below: pristine)
        var byKind: [CorruptedKind: [String]] = [:]
        var unknown: [String] = []
        for key in files.keys.sorted() {
            switch CorruptedKind.classify(key) {
            case .object(let kind): byKind[kind, default: []].append(key)
            case .ignored: break
            case .unknown: unknown.append(key)
            }
        }
        XCTAssertEqual(
            unknown, [], "objects of no known kind (docs/format.md §2): classify them in CorruptionSupport.swift")
        for kind in CorruptedKind.allCases where byKind[kind] == nil {
            XCTFail("the pristine repository has no \(kind.rawValue) object: \(files.keys.sorted())")
        }
        for key in (byKind[.walObject] ?? []) + (byKind[.walRecord] ?? []) where CorruptedKind.walName(key) == nil {
            XCTFail("no WAL name in '\(key)'")
        }

        var slotKeys: [String: String] = [:]
        for key in byKind[.keySlot] ?? [] {
            let slot = ((key as NSString).lastPathComponent as NSString).deletingPathExtension.replacingOccurrences(
                of: "slot-", with: "")
            slotKeys[slot] = slot == secondSlot ? secondKey : workspace.keyFile
        }
        let listing = try workspace.json(try run(["list", "--json"]))
        var backupKinds: [String: String] = [:]
        for backup in listing["backups"] as? [[String: Any]] ?? [] {
            if let id = backup["id"] as? String, let kind = backup["kind"] as? String { backupKinds[id] = kind }
        }
        XCTAssertEqual(Set(backupKinds.values), ["logical", "snapshot"], "\(backupKinds)")
        XCTAssertTrue(Set(backupKinds.keys).isSuperset(of: [logical1, logical2]))
        let trials = workspace.directory + "/trials"
        try FileManager.default.createDirectory(atPath: trials, withIntermediateDirectories: true)
        return Fixture(
            env: env, workspace: workspace, source: source, pristine: pristine, files: files, byKind: byKind,
            slotKeys: slotKeys, backupKinds: backupKinds, drillFile: drillFile, policyFile: policyFile, trials: trials)
    }

    func keepCopy(_ fixture: Fixture, at directory: String) throws {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        XCTAssertEqual(try ProcessRunner.run("/bin/cp", ["-a", fixture.pristine, directory + "/repository"]).status, 0)
        for file in [
            fixture.workspace.keyFile, fixture.workspace.directory + "/second.key", fixture.drillFile,
            fixture.policyFile,
        ] {
            XCTAssertEqual(try ProcessRunner.run("/bin/cp", ["-a", file, directory + "/"]).status, 0)
        }
        try writeConfig(
            fixture, directory: directory, keyFile: directory + "/repo.key", policy: directory + "/retention.yml")
        print("corruption suite: pristine repository kept in \(directory)")
    }

    // MARK: - trials

    func swappable(_ fixture: Fixture, _ kind: CorruptedKind) -> Bool {
        let contents = (fixture.byKind[kind] ?? []).compactMap { fixture.files[$0] }
        return Set(contents).count >= 2
    }

    /// A mutation of `kind` drawn with `rng`; plain-JSON draws that leave the same document are redrawn.
    func draw(
        _ fixture: Fixture, _ kind: CorruptedKind, _ mutation: MutationKind, rng: inout SplitMix64,
        redrawn: inout Int
    ) -> Mutation? {
        let keys = fixture.byKind[kind] ?? []
        for _ in 0..<50 {
            let key = keys[Int.random(in: 0..<keys.count, using: &rng)]
            let data = fixture.files[key] ?? Data()
            let drawn: Mutation?
            switch mutation {
            case .flip: drawn = MutationFactory.flip(kind, key: key, data: data, rng: &rng)
            case .truncate: drawn = MutationFactory.truncate(kind, key: key, data: data, rng: &rng)
            case .swap: drawn = MutationFactory.swap(kind, keys: keys, files: fixture.files, rng: &rng)
            }
            guard let drawn else { continue }
            if kind.isPlainJSON,
                drawn.objects.allSatisfy({ MutationFactory.equivalentJSON(fixture.files[$0]!, drawn.contents[$0]!) })
            {
                redrawn += 1
                continue
            }
            return drawn
        }
        return nil
    }

    func writeConfig(_ fixture: Fixture, directory: String, keyFile: String, policy: String? = nil) throws {
        try """
        cluster: main
        postgres:
          url: "\(fixture.env.url(database: "postgres"))"
        repository:
          url: "file://\(directory)/repository"
        encryption:
          key_file: \(keyFile)
        compression: { algorithm: zstd, level: 3 }
        wal: { prefetch: 0 }
        policy: \(policy ?? fixture.policyFile)
        """.write(toFile: directory + "/lifeboat.yml", atomically: true, encoding: .utf8)
    }

    /// The commands that must read `key`, in a trial directory (placeholders in labels stand for its paths).
    func commands(_ fixture: Fixture, for key: String, kind: CorruptedKind, trial: String, tag: String)
        -> [TrialCommand]
    {
        let defaultKey = fixture.workspace.keyFile
        func command(
            _ label: String, _ arguments: [String], keyFile: String? = nil, target: RestoreTarget = .none,
            pristine: Set<Int32> = [0]
        ) -> TrialCommand {
            TrialCommand(
                label: label, arguments: arguments, keyFile: keyFile ?? defaultKey, target: target,
                pristineStatuses: pristine)
        }
        func backupCommands(_ id: String, show: Bool) -> [TrialCommand] {
            var result: [TrialCommand] = []
            if show { result.append(command("show \(id)", ["show", id])) }
            result.append(command("verify \(id)", ["verify", id]))
            if fixture.backupKinds[id] == "snapshot" {
                let directory = trial + "/restored-\(tag)-\(id)"
                result.append(
                    command(
                        "restore \(id) --data-dir DIR", ["restore", id, "--data-dir", directory],
                        target: .dataDirectory(directory)))
            } else {
                let database = "corrupt_\(tag)_\(UInt32.random(in: 0 ... .max) % 1_000_000)"
                result.append(
                    command(
                        "restore \(id) --target NEWDB --globals",
                        ["restore", id, "--target", fixture.env.url(database: database), "--globals"],
                        target: .database(database)))
            }
            return result
        }
        switch kind {
        case .descriptor:
            return [command("list", ["list"])]
        case .keySlot:
            let slot = ((key as NSString).lastPathComponent as NSString).deletingPathExtension.replacingOccurrences(
                of: "slot-", with: "")
            let keyFile = fixture.slotKeys[slot] ?? defaultKey
            let which = keyFile == defaultKey ? "repo.key" : (keyFile as NSString).lastPathComponent
            return [
                command("key list (\(which))", ["key", "list"], keyFile: keyFile),
                command("list (\(which))", ["list"], keyFile: keyFile),
            ]
        case .keyring:
            return [command("list", ["list"]), command("key list", ["key", "list"])]
        case .manifest:
            return backupCommands(CorruptedKind.backupID(key) ?? "?", show: true)
        case .data:
            return backupCommands(CorruptedKind.backupID(key) ?? "?", show: false)
        case .pin:
            let id = CorruptedKind.backupID(key) ?? "?"
            return [
                command("list", ["list"]), command("show \(id)", ["show", id]),
                command("verify \(id)", ["verify", id]),
                command("prune --dry-run", ["prune", "--dry-run"]),
            ]
        case .walObject, .walRecord:
            let name = CorruptedKind.walName(key) ?? "?"
            let destination = trial + "/pg_wal/\(name)"
            return [
                command("wal get \(name) DEST", ["wal", "get", name, destination], target: .walFile(destination)),
                command("verify --wal", ["verify", "--wal"]),
            ]
        case .walSystem:
            return [command("list", ["list"]), command("verify --wal", ["verify", "--wal"])]
        case .pruneJournal:
            return [
                command("prune --dry-run", ["prune", "--dry-run"]),
                command(
                    "report", ["report", "--format", "json", "--output", trial + "/report-\(tag).json"],
                    pristine: [0, 3]),
            ]
        case .evidence:
            return [
                command("drill list", ["drill", "list"]),
                command("drill due FILE", ["drill", "due", fixture.drillFile], pristine: [0, 3]),
            ]
        }
    }

    /// A fresh trial directory: a hard-linked copy of the pristine repository and a pg_wal/ for wal get.
    func prepareTrial(_ fixture: Fixture, name: String) throws -> String {
        let directory = fixture.trials + "/" + name
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory + "/pg_wal", withIntermediateDirectories: true)
        guard try ProcessRunner.run("/bin/cp", ["-al", fixture.pristine, directory + "/repository"]).status == 0 else {
            XCTFail("cp -al of the pristine repository failed")
            throw XCTSkip("cannot copy")
        }
        return directory
    }

    func run(_ fixture: Fixture, _ command: TrialCommand, in directory: String) throws -> RunResult {
        try writeConfig(fixture, directory: directory, keyFile: command.keyFile)
        return try runLifeboat(
            fixture.env, ["--config", directory + "/lifeboat.yml", "--no-progress"] + command.arguments)
    }

    /// Every command of every kind runs once on an unmodified copy: it must succeed, and each restore must apply.
    func checkPristine(_ fixture: Fixture) throws {
        let directory = try prepareTrial(fixture, name: "pristine-check")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var seen = Set<String>()
        for (kind, keys) in fixture.byKind.sorted(by: { $0.key < $1.key }) {
            for key in keys {
                for command in commands(fixture, for: key, kind: kind, trial: directory, tag: "p\(seen.count)")
                where seen.insert(command.label).inserted {
                    let result = try run(fixture, command, in: directory)
                    XCTAssertTrue(
                        command.pristineStatuses.contains(result.status),
                        "'\(command.label)' on the pristine repository exits \(result.status): \(result.output)")
                    if case .none = command.target {
                    } else {
                        XCTAssertTrue(
                            try command.target.applied(fixture.env).0,
                            "'\(command.label)' on the pristine repository applied nothing")
                    }
                    command.target.clean(fixture.env)
                }
            }
        }
        XCTAssertTrue(
            FileTree.contents(below: directory + "/repository") == fixture.files,
            "the pristine check's commands changed the repository")
    }

    func runTrial(_ fixture: Fixture, index: Int, mutation: Mutation, seed: UInt64) throws -> TrialOutcome {
        let started = Date()
        let directory = try prepareTrial(fixture, name: "t\(index)")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (key, contents) in mutation.contents {
            let path = directory + "/repository/" + key
            try FileManager.default.removeItem(atPath: path)  // a new inode: the pristine link stays as it was
            guard
                FileManager.default.createFile(atPath: path, contents: contents, attributes: [.posixPermissions: 0o600])
            else {
                throw XCTSkip("cannot write \(path)")
            }
        }
        var seen = Set<String>()
        var commandList: [TrialCommand] = []
        for key in mutation.objects {
            for command in commands(
                fixture, for: key, kind: mutation.kind, trial: directory, tag: "t\(index)_\(commandList.count)")
            where seen.insert(command.label).inserted {
                commandList.append(command)
            }
        }
        var outcome = TrialOutcome(index: index, mutation: mutation)
        for command in commandList {
            let result = try run(fixture, command, in: directory)
            let (applied, found) = try command.target.applied(fixture.env)
            command.target.clean(fixture.env)
            let detected = result.status == 4
            let named = mutation.objects.contains { result.stderr.contains($0) }
            outcome.rows.append((command, result, detected, named, applied, applied ? found : ""))
            if let report = ProcessInfo.processInfo.environment["LIFEBOAT_FAULTS_REPORT"] {
                // scripts/faults-table.py counts rows not detected or not named as undetected, and "broken" ones.
                FaultSuite.appendJSONLine(
                    [
                        "suite": "corruption", "kind": mutation.kind.rawValue, "mutation": mutation.mutation.rawValue,
                        "object": mutation.objectText, "detail": mutation.detail, "command": command.label,
                        "status": Int(result.status), "detected": detected, "named": named, "applied": applied,
                        "broken": applied ? ["applied to a restore target: \(found)"] : [],
                        "trial": index, "seed": String(seed), "seconds": Date().timeIntervalSince(started),
                    ], to: report)
            }
        }
        outcome.seconds = Date().timeIntervalSince(started)
        return outcome
    }

    // MARK: - summary

    func summarize(_ outcomes: [TrialOutcome], seed: UInt64, redrawn: Int) {
        var lines = [
            "corruption suite (seed \(seed)): kind × mutation: detected/trials (a trial is detected when every command exits 4, names the object and applies nothing)"
        ]
        let groups = Dictionary(grouping: outcomes) { "\($0.mutation.kind.rawValue) \($0.mutation.mutation.rawValue)" }
        for (group, members) in groups.sorted(by: { $0.key < $1.key }) {
            let passed = members.filter(\.passed).count
            let rate = String(format: "%.1f", 100 * Double(passed) / Double(max(1, members.count)))
            lines.append(
                "  " + group.padding(toLength: 28, withPad: " ", startingAt: 0)
                    + " \(passed)/\(members.count)  \(rate) %")
        }
        let passed = outcomes.filter(\.passed).count
        let commands = outcomes.reduce(0) { $0 + $1.rows.count }
        let seconds = outcomes.reduce(0) { $0 + $1.seconds }
        lines.append(
            String(
                format:
                    "  total: %d/%d trials detected (%.1f %%), %d commands; %.2f s per trial (%.0f s in all); %d plain-JSON draws redrawn as equivalent",
                passed, outcomes.count, 100 * Double(passed) / Double(max(1, outcomes.count)), commands,
                seconds / Double(max(1, outcomes.count)), seconds, redrawn))
        print(lines.joined(separator: "\n"))
    }
}
