// PhysicalRestore+Steps: the numbered steps a snapshot restore's plan shows, in the order `run` takes them.
import Catalog

extension PhysicalRestore {
    func steps(
        _ request: PhysicalRestoreRequest, chain: BackupChain, tablespaces: [TablespaceTarget],
        credentials: String?
    ) -> [String] {
        let manifest = chain.newest
        guard let snapshot = manifest.snapshot else { return [] }
        let directory = request.dataDirectory
        var steps =
            request.toName.map { name in
                [
                    "use snapshot \(manifest.id)"
                        + (request.reference == "latest"
                            ? " (the newest: a restore point's time is unknown to lifeboat; if 'restore point \(name)' is older "
                                + "than it, pass an older backup id)" : "")
                ]
            } ?? []
        let emptied = request.clean && RestoreDirectory.state(directory) == .notEmpty
        steps.append(
            emptied ? "delete the contents of '\(directory)' (--clean)" : "create '\(directory)' (mode 0700)")
        let privacy = osUser.map { ", private to root until the restore is complete, then owned by OS user '\($0)'" }
        if chain.length > 1 {
            steps += chainSteps(chain, tablespaces: tablespaces, privacy: privacy ?? "")
        } else {
            steps += [
                "read '\(snapshot.object)' (\(Format.bytes(manifest.storedBytes))) once, straight into the "
                    + "directory: every chunk is authenticated before it is written and the object's size and sha256 "
                    + "are checked at its end (any failure empties the directory)",
                "extract the data directory (\(Format.bytes(manifest.contentBytes)))" + (privacy ?? ""),
                Self.controlStep,
            ]
        }
        steps += tablespaceSteps(request, tablespaces: tablespaces)
        if let credentials { steps.append(credentialsStep(credentials, request: request)) }
        let target = RecoveryConfiguration(config: context.config, request: request).targetText
        steps += [
            "write recovery.signal and restore_command, recovery target \(target)"
                + (request.hasTarget ? ", then \(request.targetAction)" : ""),
            "recovery replays archived WAL from \(snapshot.startWal) (consistent after \(snapshot.stopWal), "
                + "\(manifest.server.stopLsn ?? "?")) up to the target",
        ]
        steps.append(
            request.start
                ? "start the server on 127.0.0.1 port \(request.port ?? 5432) with archive_mode=off and wait for recovery"
                : "leave the server stopped (start it with the command printed at the end)")
        return steps
    }

    /// A chain is read once, newest backup first, straight into the directories.
    func chainSteps(_ chain: BackupChain, tablespaces: [TablespaceTarget], privacy: String) -> [String] {
        let links = chainLinks(chain, tablespaces: tablespaces) ?? []
        let listed = links.map { link in
            "\(link.backup) (\(link.type)\(link.method.map { " \($0)" } ?? ""), \(Format.bytes(link.storedBytes)))"
        }
        return [
            "read the chain of \(chain.length) backups newest first, each object once: "
                + listed.joined(separator: " ← ")
                + "; every chunk is authenticated before it is applied and each object's size and sha256 are "
                + "checked at its end (any failure empties the directory)",
            "write each file in place as the newest backup has it (\(Format.bytes(chain.newest.contentBytes)) "
                + "streamed); a relation file stored as a delta gets each block from the newest backup holding it, "
                + "zeros where none does; nothing is staged, the directory needs about the cluster's size" + privacy,
            Self.controlStep,
        ]
    }

    static let controlStep =
        "make everything written durable (one syncfs per file system), then write global/pg_control last, once "
        + "every backup is applied (until then the directory cannot start)"

    func tablespaceSteps(_ request: PhysicalRestoreRequest, tablespaces: [TablespaceTarget]) -> [String] {
        var steps = tablespaces.map { space in
            "extract tablespace \(space.oid) (on the source '\(space.location)') into '\(space.directory)'"
                + (space.mapped ? " (--tablespace-map)" : " (its original location)")
                + (request.clean && RestoreDirectory.state(space.directory) == .notEmpty
                    ? ", deleting its contents first (--clean)" : "")
        }
        if !tablespaces.isEmpty {
            steps.append("write tablespace_map: recovery links pg_tblspc/<oid> to each tablespace directory")
        }
        return steps
    }

    func credentialsStep(_ directory: String, request: PhysicalRestoreRequest) -> String {
        var what: [String] = []
        if let variable = RecoveryCredentials.passphraseVariable(context.config) {
            what.append("the passphrase (\(variable))")
        }
        if RecoveryCredentials.isS3(context.config) { what.append("the S3 credentials") }
        let removal =
            request.start && request.targetAction == "promote"
            ? "removed once the server is promoted"
            : "delete it once recovery has ended"
        return "write \(what.joined(separator: " and ")) for restore_command into '\(directory)' (mode 0700"
            + (osUser.map { ", owned by OS user '\($0)'" } ?? "") + "), not into the server's environment; \(removal)"
    }
}
