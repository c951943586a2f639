// Builders for synthetic catalogs: dates from text, WAL names from positions, policies from a few rules, and
// the golden-file comparison (LIFEBOAT_UPDATE_GOLDEN=1 rewrites the files instead of comparing).
import Catalog
import Foundation
import Policy
import Retention
import XCTest

enum Fixtures {
    static let day: TimeInterval = 86_400

    /// "2026-03-14T05:00:00Z" → Date; crashes the test on a typo, which is what a fixture should do.
    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        guard let date = formatter.date(from: text) else { fatalError("bad fixture date \(text)") }
        return date
    }

    /// The name of segment `number` on `timeline` for 16 MiB segments (256 segments per log file).
    static func wal(_ timeline: UInt32, _ number: Int) -> String {
        hex(timeline) + hex(UInt32(number / 256)) + hex(UInt32(number % 256))
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    static func policy(
        _ name: String = "test", zone: String = "UTC", keep: [BackupTypeSetting: KeepRules] = [:],
        minAge: TimeInterval = day, minComplete: Int = 1, pitr: TimeInterval? = nil,
        tiering: [TieringRule] = []
    ) -> RetentionPolicy {
        RetentionPolicy(
            name: name, sourcePath: "/policies/\(name).yml", timeZone: TimeZone(identifier: zone)!,
            safety: SafetyRules(minAge: minAge, minComplete: minComplete), keep: keep,
            wal: WALRetention(pitrWindow: pitr), tiering: tiering)
    }

    /// A complete backup whose id is its start time, as Lifeboat names them.
    static func backup(
        _ start: String, _ kind: BackupKind = .snapshot, minutes: Double = 30, suffix: String = "aa",
        bytes: Int64 = 1000
    ) -> PlannedBackup {
        let started = date(start)
        let id = start.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "") + "-" + suffix
        return PlannedBackup(
            id: id, kind: kind, startedAt: started, finishedAt: started.addingTimeInterval(minutes * 60),
            storedBytes: bytes)
    }

    static func input(_ backups: [PlannedBackup], wal: [PlannedWALFile] = [], storageClasses: Bool = true) -> PlanInput
    {
        PlanInput(cluster: "main", backups: backups, wal: wal, storageClassesSupported: storageClasses)
    }

    // MARK: - golden files

    /// Compares `text` with Golden/<name>.txt, or writes it there when LIFEBOAT_UPDATE_GOLDEN=1.
    static func assertGolden(_ text: String, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws
    {
        if ProcessInfo.processInfo.environment["LIFEBOAT_UPDATE_GOLDEN"] == "1" {
            let source = URL(fileURLWithPath: "\(file)").deletingLastPathComponent()
                .appendingPathComponent("Golden").appendingPathComponent("\(name).txt")
            try text.write(to: source, atomically: true, encoding: .utf8)
            return
        }
        guard let url = Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Golden") else {
            XCTFail(
                "missing golden file Golden/\(name).txt; run with LIFEBOAT_UPDATE_GOLDEN=1 and review it", file: file,
                line: line)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(text, expected, "plan differs from Golden/\(name).txt", file: file, line: line)
    }
}
