// DrillBackupSelection: which backup a drill restores. `latest` proves the newest backup restores; `random`
// samples older ones too, so a drill schedule eventually exercises backups that no one restored yet.
import Catalog
import Foundation
import Policy

enum DrillBackupSelection {
    static func select(
        _ choice: DrillBackupChoice, candidates: [BackupManifest], now: Date,
        random: (Int) -> Int
    ) -> (BackupManifest?, String) {
        switch choice {
        case .latest:
            guard let newest = candidates.max(by: finishedEarlier) else {
                return (nil, "no complete \(scope(candidates))")
            }
            return (newest, "latest")
        case .randomWithin(let window):
            return pickRandom(within: window, candidates: candidates, now: now, random: random)
        case .id(let id):
            guard let named = candidates.first(where: { $0.id.rawValue == id }) else {
                return (nil, "backup '\(id)' is not a complete \(scope(candidates))")
            }
            return (named, "named")
        }
    }

    /// Ties on finish time go to the larger id, so the choice never depends on the order of `candidates`.
    private static func finishedEarlier(_ a: BackupManifest, _ b: BackupManifest) -> Bool {
        (a.finishedAt, a.id) < (b.finishedAt, b.id)
    }

    private static func pickRandom(
        within window: TimeInterval, candidates: [BackupManifest], now: Date,
        random: (Int) -> Int
    ) -> (BackupManifest?, String) {
        let since = now.addingTimeInterval(-window)
        let eligible = candidates.filter { $0.startedAt >= since }.sorted { $0.id < $1.id }
        let span = DrillText.duration(window)
        guard !eligible.isEmpty else {
            let older = candidates.isEmpty ? "" : " (\(candidates.count) older)"
            return (nil, "no \(scope(candidates)) started within \(span)\(older)")
        }
        // Clamped rather than trapped: a bad random source must not crash a drill run.
        let index = min(max(random(eligible.count), 0), eligible.count - 1)
        let noun = eligible.count == 1 ? "candidate" : "candidates"
        return (eligible[index], "random within \(span) (\(eligible.count) \(noun))")
    }

    /// "logical backup of cluster 'main'" when the candidates say so, else a phrase that needs none.
    private static func scope(_ candidates: [BackupManifest]) -> String {
        guard let first = candidates.first,
            candidates.allSatisfy({ $0.kind == first.kind && $0.cluster == first.cluster })
        else {
            return "backup of the drill's kind"
        }
        return "\(first.kind.rawValue) backup of cluster '\(first.cluster)'"
    }
}
