// Verifier: reads back every object of a backup: authenticates each sealed chunk, checks size and SHA-256
// against the manifest, decompresses and walks the tar entries; and its pin record, which `list` and prune
// trust, must authenticate and name this backup. Every problem names the object.
import ArchiveIO
import Catalog
import Diagnostics
import Foundation
import Pipeline

public struct ObjectCheck: Codable, Sendable {
    public var backup: String
    public var object: String
    public var ok: Bool
    public var storedBytes: Int64
    public var entries: Int
    public var problem: String?
}

public struct VerifyReport: Codable, Sendable {
    public var checks: [ObjectCheck]
    public var ok: Bool { checks.allSatisfy(\.ok) }
    public var failures: [ObjectCheck] { checks.filter { !$0.ok } }
}

public struct Verifier {
    let repository: Repository
    let keyring: Keyring
    let cluster: String
    let progress: ProgressReporter

    public init(repository: Repository, keyring: Keyring, cluster: String, progress: ProgressReporter) {
        self.repository = repository
        self.keyring = keyring
        self.cluster = cluster
        self.progress = progress
    }

    public func verify(_ manifests: [BackupManifest]) -> VerifyReport {
        VerifyReport(
            checks: manifests.flatMap { manifest in
                manifest.objects.map { check(manifest, $0) } + checkPinRecord(manifest)
            })
    }

    /// The backup's pin record, when it has one, read as `list` reads it: a damaged one, or one copied from another
    /// backup's directory, fails here as it fails there.
    func checkPinRecord(_ manifest: BackupManifest) -> [ObjectCheck] {
        var result = ObjectCheck(
            backup: manifest.id.rawValue, object: RepositoryLayout.pinRecordName, ok: false, storedBytes: 0, entries: 0)
        do {
            guard
                try BackupCatalog(repository: repository, keyring: keyring, cluster: cluster).pinRecord(manifest.id)
                    != nil
            else { return [] }
            result.ok = true
        } catch {
            result.problem = ProblemText.of(error)
        }
        return [result]
    }

    func check(_ manifest: BackupManifest, _ object: StoredObject) -> ObjectCheck {
        var result = ObjectCheck(
            backup: manifest.id.rawValue, object: object.name, ok: false, storedBytes: 0, entries: 0)
        let source = ObjectSource(repository: repository, keyring: keyring, cluster: cluster, manifest: manifest)
        progress.begin("verify \(manifest.id) \(object.name)", total: object.contentSize)
        defer { progress.end() }
        do {
            let sealed = try source.sealedReader(object.name)
            let tar = try TarReader { buffer in try sealed.read(into: buffer) }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            var contentBytes: Int64 = 0
            while try tar.nextEntry() != nil {
                result.entries += 1
                while case let count = try buffer.withUnsafeMutableBytes({ try tar.read(into: $0) }), count > 0 {
                    contentBytes += Int64(count)
                    progress.advance(by: count)
                }
            }
            try sealed.drain()
            result.storedBytes = sealed.storedBytes
            guard contentBytes == object.contentSize else {
                result.problem = "content is \(contentBytes) bytes, the manifest records \(object.contentSize)"
                return result
            }
            result.ok = true
        } catch {
            result.problem = ProblemText.of(error)
        }
        return result
    }
}
