// A private directory per test, removed afterwards.
import Foundation

final class ScratchDirectory {
    let path = NSTemporaryDirectory() + "lifeboat-systemio-\(UUID().uuidString)"

    init() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}
