// DrillTarget+YAML: the `target:` section of a drill file — a scratch cluster Lifeboat starts itself, or a
// scratch database on an existing server. The URL may carry a password, so it never appears in an error.
import Foundation
import Policy

extension DrillTarget {
    static let keys = ["scratch", "url"]

    /// The words `scratch:` accepts.
    enum Scratch: String, CaseIterable {
        case cluster
        case database
    }

    static func read(from root: MappingReader, kind: DrillRestoreKind) throws -> DrillTarget {
        guard let section = try root.mapping("target", accepted: keys) else { return .scratchCluster }
        switch try section.choice("scratch", of: Scratch.self) ?? .cluster {
        case .cluster:
            guard !section.has("url") else {
                throw section.invalid(
                    "url", value: nil, accepted: "only with 'scratch: database'",
                    hint: "a scratch cluster runs on a free loopback port; remove 'url', or set 'scratch: database'")
            }
            return .scratchCluster
        case .database:
            guard kind == .logical else {
                throw section.invalid(
                    "scratch", value: "database", accepted: "'cluster' for a snapshot drill",
                    hint: "a snapshot restores a whole cluster; remove 'target:' or use 'restore.type: logical'")
            }
            let url = try section.requiredString(
                "url", showValue: false,
                hint:
                    "add 'url: postgresql://USER@HOST:PORT/postgres' (the server the scratch database is created on); "
                    + "give the password through PGPASSWORD or ~/.pgpass")
            return .existingServer(url: url)
        }
    }
}
