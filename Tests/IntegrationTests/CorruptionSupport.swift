// CorruptionSupport: the pieces of the corruption suite (CorruptionTests.swift): per-trial seeds, the generic
// classification of repository objects by prefix and suffix (docs/format.md §2; WAL objects versus WAL records as
// §8 names them, without depending on today's exact WAL object names), the mutations (one flipped byte, a
// truncation, two objects' contents swapped), the commands that must read each kind of object, and the checks
// that a restore applied nothing.
import Foundation
import PGClient
import TestSupport
import XCTest

extension SplitMix64 {
    /// The generator of trial `index` of a run with `seed` (the suite prints it): a trial is reproducible on its
    /// own (LIFEBOAT_CORRUPTION_SEED + LIFEBOAT_CORRUPTION_ONLY), whatever ran before it.
    static func forTrial(_ index: Int, seed: UInt64) -> SplitMix64 {
        var mixer = SplitMix64(seed: seed ^ (UInt64(index) &* 0xD1B5_4A32_D192_ED03))
        return SplitMix64(seed: mixer.next())
    }
}

/// Every kind of object a repository holds, told apart by key prefix and suffix only.
enum CorruptedKind: String, CaseIterable, Comparable {
    case descriptor = "descriptor"  // repository.json (plain JSON)
    case keySlot = "key-slot"  // keys/*.json (plain JSON)
    case keyring = "keyring"  // keys/*.lbx
    case manifest = "manifest"  // backups/<cluster>/<id>/manifest.lbx
    case pin = "pin"  // backups/<cluster>/<id>/pin.lbx
    case data = "data"  // every other .lbx under backups/
    case walObject = "wal-object"  // .lbx under wal/ that is neither a record nor the system record
    case walRecord = "wal-record"  // wal/**.meta.lbx
    case walSystem = "wal-system"  // wal/<cluster>/system-identifier.lbx
    case pruneJournal = "prune-journal"  // prune/**.lbx
    case evidence = "evidence"  // drills/**.lbx

    static func < (a: CorruptedKind, b: CorruptedKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Plain JSON, not sealed: only the fields a reader checks can be protected (see CorruptionTests' header).
    var isPlainJSON: Bool { self == .descriptor || self == .keySlot }

    enum Classification: Equatable {
        case object(CorruptedKind)
        /// Not repository data: locks and a local store's temporary files.
        case ignored
        case unknown
    }

    static func classify(_ key: String) -> Classification {
        if key == "repository.json" { return .object(.descriptor) }
        let parts = key.split(separator: "/").map(String.init)
        guard let top = parts.first, let last = parts.last else { return .unknown }
        switch top {
        case "locks", ".tmp":
            return .ignored
        case "keys":
            if last.hasSuffix(".json") { return .object(.keySlot) }
            if last.hasSuffix(".lbx") { return .object(.keyring) }
        case "backups" where parts.count == 4 && last.hasSuffix(".lbx"):
            if last == "manifest.lbx" { return .object(.manifest) }
            if last == "pin.lbx" { return .object(.pin) }
            return .object(.data)
        case "wal" where last.hasSuffix(".lbx"):
            if parts.count == 3 && last == "system-identifier.lbx" { return .object(.walSystem) }
            if last.hasSuffix(".meta.lbx") { return .object(.walRecord) }
            return .object(.walObject)
        case "prune" where last.hasSuffix(".lbx"):
            return .object(.pruneJournal)
        case "drills" where last.hasSuffix(".lbx"):
            return .object(.evidence)
        default:
            break
        }
        return .unknown
    }

    /// The WAL file name a WAL object or record key stands for: the longest leading WAL name (§8 table) of its
    /// last component, so `<name>.lbx`, `<name>.<token>.lbx` and `<name>.meta.lbx` all work.
    static func walName(_ key: String) -> String? {
        guard let last = key.split(separator: "/").last.map(String.init) else { return nil }
        let pattern = #"^([0-9A-F]{24}(\.partial|\.[0-9A-F]{8}\.backup)?|[0-9A-F]{8}\.history)(?=\.)"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: last, range: NSRange(last.startIndex..., in: last)),
            let range = Range(match.range(at: 1), in: last)
        else { return nil }
        return String(last[range])
    }

    /// backups/<cluster>/<id>/... → id.
    static func backupID(_ key: String) -> String? {
        let parts = key.split(separator: "/").map(String.init)
        return parts.count == 4 && parts[0] == "backups" ? parts[2] : nil
    }
}

enum MutationKind: String, CaseIterable {
    case flip, truncate, swap
}

/// One mutation applied to the copy of a repository.
struct Mutation: CustomStringConvertible {
    let kind: CorruptedKind
    let mutation: MutationKind
    /// One key, or two for a swap.
    let objects: [String]
    /// Offset and XOR value, or the new length, or nothing for a swap.
    let detail: String
    /// The mutated contents by key.
    let contents: [String: Data]

    var objectText: String { objects.joined(separator: " <-> ") }
    var description: String { "\(mutation.rawValue) \(objectText) \(detail)" }
}

enum MutationFactory {
    /// Members of plain-JSON objects that no reader checks and that change nothing but what is displayed
    /// (CorruptionTests' header documents them): bytes inside them are left out of flips.
    static let advisoryMembers: [CorruptedKind: [String]] = [
        .descriptor: ["id", "created"],
        .keySlot: ["label", "created"],
    ]

    /// Byte ranges of the advisory members ("name": value, key and value) of a plain-JSON object.
    static func advisoryRanges(_ kind: CorruptedKind, _ data: Data) -> [Range<Int>] {
        guard let names = advisoryMembers[kind], let text = String(data: data, encoding: .utf8),
            text.utf8.count == text.count
        else { return [] }  // ASCII only, so character offsets are byte offsets
        var ranges: [Range<Int>] = []
        for name in names {
            let pattern = "\"\(name)\"\\s*:\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|[^,\\n}]*)"
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            for match in regex.matches(in: text, range: NSRange(location: 0, length: (text as NSString).length)) {
                ranges.append(match.range.location..<match.range.location + match.range.length)
            }
        }
        return ranges
    }

    /// True when a plain-JSON object still means exactly the same after the mutation: a space flipped into a tab,
    /// or a base64 value spelled differently for the same bytes (the unused low bits of the last character before
    /// '=' in a slot's 32-byte salt; base64 decoders ignore them). No reader can or needs to tell; such draws are
    /// redrawn and counted.
    static func equivalentJSON(_ a: Data, _ b: Data) -> Bool {
        guard let x = try? JSONSerialization.jsonObject(with: a, options: [.fragmentsAllowed]),
            let y = try? JSONSerialization.jsonObject(with: b, options: [.fragmentsAllowed])
        else { return false }
        return (normalized(x) as? NSObject)?.isEqual(normalized(y) as? NSObject) ?? false
    }

    /// Strings that are base64 become their bytes (a hex id is valid base64 too, and decodes one-to-one).
    static func normalized(_ value: Any) -> Any {
        switch value {
        case let dictionary as [String: Any]: return dictionary.mapValues(normalized)
        case let array as [Any]: return array.map(normalized)
        case let string as String: return Data(base64Encoded: string).map { $0 as Any } ?? string
        default: return value
        }
    }

    static func flip(_ kind: CorruptedKind, key: String, data: Data, rng: inout SplitMix64) -> Mutation? {
        guard !data.isEmpty else { return nil }
        let excluded = advisoryRanges(kind, data)
        var offset = 0
        for _ in 0..<1000 {
            offset = Int.random(in: 0..<data.count, using: &rng)
            if !excluded.contains(where: { $0.contains(offset) }) { break }
        }
        guard !excluded.contains(where: { $0.contains(offset) }) else { return nil }
        let mask = UInt8.random(in: 1...255, using: &rng)
        var mutated = data
        mutated[mutated.startIndex + offset] ^= mask
        return Mutation(
            kind: kind, mutation: .flip, objects: [key],
            detail: "offset \(offset) of \(data.count) xor 0x\(String(mask, radix: 16))", contents: [key: mutated])
    }

    /// Truncation to 0, to length − 1, or to a uniformly drawn length below the original.
    static func truncate(_ kind: CorruptedKind, key: String, data: Data, rng: inout SplitMix64) -> Mutation? {
        guard !data.isEmpty else { return nil }
        let length: Int
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: length = 0
        case 1: length = data.count - 1
        default: length = Int.random(in: 0..<data.count, using: &rng)
        }
        return Mutation(
            kind: kind, mutation: .truncate, objects: [key], detail: "to \(length) of \(data.count) bytes",
            contents: [key: data.prefix(length)])
    }

    /// Two objects of the same kind with different contents exchange them.
    static func swap(_ kind: CorruptedKind, keys: [String], files: [String: Data], rng: inout SplitMix64) -> Mutation? {
        guard keys.count >= 2 else { return nil }
        for _ in 0..<100 {
            let first = keys[Int.random(in: 0..<keys.count, using: &rng)]
            let second = keys[Int.random(in: 0..<keys.count, using: &rng)]
            guard first != second, let a = files[first], let b = files[second], a != b else { continue }
            let pair = [first, second].sorted()
            return Mutation(kind: kind, mutation: .swap, objects: pair, detail: "", contents: [first: b, second: a])
        }
        return nil
    }
}

/// What a command may have applied to a restore target, checked after it ran.
enum RestoreTarget {
    case none
    /// A logical restore into this new database.
    case database(String)
    /// A physical restore into this new directory.
    case dataDirectory(String)
    /// `wal get NAME DEST`: DEST and its temporary files.
    case walFile(String)
}

/// A command a trial runs against the damaged copy.
struct TrialCommand {
    /// For the report: the arguments with the trial's paths and names replaced by placeholders.
    let label: String
    let arguments: [String]
    /// Key file the command unlocks the repository with (a key slot's own credential for slot trials).
    let keyFile: String
    let target: RestoreTarget
    /// Exit statuses of the command on the pristine repository (report and drill due judge, and may say 3).
    let pristineStatuses: Set<Int32>
}

extension RestoreTarget {
    /// Whether anything was applied, per the suite's definition (CorruptionTests' header), with what was found.
    func applied(_ env: TestEnvironment) throws -> (Bool, String) {
        switch self {
        case .none:
            return (false, "")
        case .database(let name):
            let admin = try env.admin()
            defer { admin.close() }
            guard try !admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]).rows.isEmpty else {
                return (false, "")
            }
            let db = try PGConnection(try env.connectionInfo(database: name))
            defer { db.close() }
            let count =
                try db.query(
                    """
                    SELECT count(*)::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
                      AND n.nspname NOT LIKE 'pg\\_temp%'
                    """
                ).rows.first?[0] ?? nil
            let relations = Int(count ?? "") ?? 0
            return (relations > 0, "database '\(name)' exists with \(relations) user relations")
        case .dataDirectory(let path):
            guard FileManager.default.fileExists(atPath: path) else { return (false, "") }
            let files = FileTree.regularFiles(below: path)
            return (!files.isEmpty, "'\(path)' holds \(files.count) files, e.g. \(files.prefix(3))")
        case .walFile(let path):
            let directory = (path as NSString).deletingLastPathComponent
            let base = (path as NSString).lastPathComponent
            let temporaries = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
                .filter { $0.hasPrefix(".\(base).lifeboat-") }
            let exists = FileManager.default.fileExists(atPath: path)
            return (exists || !temporaries.isEmpty, "DEST exists: \(exists), temporary files: \(temporaries)")
        }
    }

    /// Removes what the command left, after the check.
    func clean(_ env: TestEnvironment) {
        switch self {
        case .none: break
        case .database(let name): SampleDatabase.drop(env, name)
        case .dataDirectory(let path): try? FileManager.default.removeItem(atPath: path)
        case .walFile(let path): try? FileManager.default.removeItem(atPath: path)
        }
    }
}
