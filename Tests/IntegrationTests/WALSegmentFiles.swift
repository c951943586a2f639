// WALSegmentFiles: real WAL segments for tests that need many names or two different files under one name.
// One segment copied from the scratch server is the template; a variant for segment number N gets the page
// address of N in its header (what `wal push` checks against the name) and, for a "different file", one byte
// flipped in the middle. Every variant keeps the template's system identifier.
import Foundation
import TestSupport
import XCTest

struct WALSegmentFiles {
    static let segmentSize = 16 << 20
    let template: Data

    /// Switches the scratch server to a new segment and takes the completed one as the template.
    init(_ env: TestEnvironment) throws {
        let admin = try env.admin()
        defer { admin.close() }
        let table = TestEnvironment.uniqueName("walvariant")
        try admin.execute("CREATE TABLE \(table) AS SELECT i FROM generate_series(1, 1000) AS i")
        try admin.execute("DROP TABLE \(table)")
        let name = try XCTUnwrap(admin.query("SELECT pg_walfile_name(pg_switch_wal())").rows.first?[0] ?? nil)
        let pgWAL = try XCTUnwrap(admin.query("SHOW data_directory").rows.first?[0] ?? nil) + "/pg_wal"
        template = try XCTUnwrap(FileManager.default.contents(atPath: pgWAL + "/" + name))
        XCTAssertEqual(template.count, Self.segmentSize)
    }

    /// The name of segment `number` on timeline 1 (16 MiB segments: 256 per log).
    static func name(_ number: UInt64) -> String {
        String(format: "%08X%08X%08X", 1, UInt32(number / 256), UInt32(number % 256))
    }

    /// Segment `number`'s bytes; `variant` > 0 flips a byte so each variant is a different file of that name.
    func bytes(_ number: UInt64, variant: UInt8 = 0) -> Data {
        var data = template
        var address = (number * UInt64(Self.segmentSize)).littleEndian
        data.replaceSubrange(8..<16, with: Data(bytes: &address, count: 8))
        data[data.count / 2] ^= variant
        return data
    }

    /// Writes segment `number` (as `variant`) into `directory` under its WAL name; returns the path.
    @discardableResult
    func write(_ number: UInt64, variant: UInt8 = 0, into directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + Self.name(number)
        try bytes(number, variant: variant).write(to: URL(fileURLWithPath: path))
        return path
    }
}

extension Workspace {
    /// Repository files (relative paths) holding WAL file `name`'s objects: everything of the name but its record.
    func walObjects(_ name: String) throws -> [String] {
        try repositoryFiles().keys.filter { key in
            key.hasPrefix("wal/") && (key as NSString).lastPathComponent.hasPrefix(name + ".")
                && !key.hasSuffix(".meta.lbx")
        }.sorted()
    }

    /// Sets the modification time of `paths` (relative to the repository) `age` seconds into the past: what a
    /// listing reports as the time they were written.
    func backdate(_ paths: [String], by age: TimeInterval) throws {
        for path in paths {
            try FileManager.default.setAttributes(
                [.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: repository + "/" + path)
        }
    }

    /// `wal get NAME` into a fresh file beside the workspace; the result and the bytes delivered.
    func walGet(_ name: String) throws -> (RunResult, Data?) {
        let destination = directory + "/get-\(UUID().uuidString.prefix(8))-\(name)"
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let result = try lifeboat(["wal", "get", name, destination])
        return (result, FileManager.default.contents(atPath: destination))
    }
}
