// EncryptionCheck: is everything the period's backups stored sealed with the authenticated cipher? Counts the
// objects the repository listing confirmed against those stored sealed (`.lbx`), and the algorithms and key ids
// the manifests name, so a key rotation shows up as two key ids.
import Foundation

struct EncryptionCheck {
    /// Every algorithm Lifeboat seals with is AES-256-GCM; the suffix names the stream framing version.
    static let acceptedAlgorithmPrefix = "aes-256-gcm"

    let input: ReportInput
    let period: ReportPeriod

    func assess() -> EncryptionCompliance {
        let backups = input.backups.filter { period.contains($0.startedAt) }
        let objects = backups.reduce(0) { $0 + $1.objects }
        let sealed = backups.reduce(0) { $0 + $1.sealedObjects }
        let algorithms = Set(backups.map(\.encryption)).sorted()
        return EncryptionCompliance(
            backups: backups.count, objects: objects, sealedObjects: sealed, algorithms: algorithms,
            keyIds: Set(backups.map(\.keyId)).sorted(),
            met: sealed >= objects && algorithms.allSatisfy { $0.hasPrefix(Self.acceptedAlgorithmPrefix) })
    }

    func findings(_ encryption: EncryptionCompliance) -> Findings {
        var findings = Findings()
        if encryption.sealedObjects < encryption.objects {
            findings.failures.append(
                "\(encryption.objects - encryption.sealedObjects) of \(encryption.objects) objects "
                    + "of \(ReportText.count(encryption.backups, "backup")) are not sealed")
        }
        let other = encryption.algorithms.filter { !$0.hasPrefix(Self.acceptedAlgorithmPrefix) }
        if !other.isEmpty {
            findings.failures.append(
                "encryption algorithm other than AES-256-GCM: \(ReportText.list(other.map { "'\($0)'" }))")
        }
        return findings
    }
}
