// TemporaryDirectory: fresh private directories for tests, and their removal when the test ends.
import Foundation
import XCTest

public enum TemporaryDirectory {
    /// Creates `<system temporary directory>/<prefix>-<UUID>` and returns its path.
    public static func make(prefix: String) throws -> String {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }
}

extension XCTestCase {
    /// A fresh temporary directory that is removed when the current test ends.
    public func temporaryDirectory(prefix: String) throws -> String {
        let path = try TemporaryDirectory.make(prefix: prefix)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }
}
