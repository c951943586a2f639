// RecoveryCredentials: what a restored server's restore_command (`lifeboat wal get`) needs to open the
// repository, handed over in files instead of the server's environment — which every backend inherits and the
// server's OS user can read in /proc for as long as the server runs (ChildEnvironment keeps it clean):
// - the passphrase, when encryption.passphrase_env unlocks the repository, read through `<VARIABLE>_FILE`
//   (Credential). A key file needs nothing: the configuration names it, and the server's OS user must be able
//   to read it anyway, as archive_command does;
// - for an s3:// repository, the S3 credentials this run used, as a shared credentials file (profile default).
//   They are the run's own, so restore_command works wherever this run's credentials came from (environment,
//   root's ~/.aws), like an inherited environment did, without the server holding them.
// The files live in a private directory beside the data directory (`<data dir>.credentials-XXXXXX`, 0700,
// files 0600, owned by the server's OS user) — never inside it, where a base backup of the restored server
// would copy them — and restore_command names them in front of the command. The directory goes once recovery is
// over: PhysicalRestore removes it when it sees the server promoted, a drill's scratch directory goes whole;
// otherwise (no --start, pause, shutdown) `restore` names it for the operator to delete.
import Configuration
import Foundation
import S3Protocol
import Storage

#if canImport(Glibc)
import Glibc
#endif

enum RecoveryCredentials {
    static let passphraseFile = "passphrase"
    static let awsFile = "aws-credentials"

    /// Whether restore_command needs anything beyond the configuration file.
    static func needed(_ config: LifeboatConfig) -> Bool { passphraseVariable(config) != nil || isS3(config) }

    /// Where `write` puts the directory, with the random part shown as XXXXXX (for plans and dry runs).
    static func placeholder(dataDirectory: String) -> String { dataDirectory + ".credentials-XXXXXX" }

    /// The variables restore_command sets (`NAME=value wal get …`) so `wal get` finds the files in `directory`.
    static func assignments(_ config: LifeboatConfig, directory: String) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        if let variable = passphraseVariable(config) {
            pairs.append((Credential.passphraseFileVariable(variable), directory + "/" + passphraseFile))
        }
        if isS3(config) {
            pairs += [("AWS_SHARED_CREDENTIALS_FILE", directory + "/" + awsFile), ("AWS_PROFILE", "default")]
        }
        return pairs
    }

    /// Creates the private directory beside `dataDirectory` and writes the files; nil when nothing is needed.
    /// Everything happens through descriptors (DirectoryHandle): the parent of a data directory often belongs to
    /// the server's OS user, who could otherwise swap the new directory for a link between its creation and a
    /// chown or write by path, and make root write the secrets or hand ownership elsewhere.
    static func write(context: EngineContext, dataDirectory: String, owner: (uid_t, gid_t)?) throws -> String? {
        guard needed(context.config) else { return nil }
        let files = try contents(context)
        let (parentPath, base) = split(dataDirectory)
        do {
            let parent = try DirectoryHandle.open(parentPath)
            var created: (DirectoryHandle, String)?
            for _ in 0..<16 where created == nil {
                let name = base + ".credentials-" + randomSuffix()
                if let handle = try? parent.makeNewSubdirectory(name) { created = (handle, name) }
            }
            guard let (directory, name) = created else { throw failure(dataDirectory + ".credentials-XXXXXX", "mkdir") }
            do {
                for (file, bytes) in files {
                    let handle = try directory.createFile(file)
                    try handle.write(bytes)
                    if let (uid, gid) = owner { try handle.setOwner(uid: uid, gid: gid) }
                    try handle.sync()
                }
                if let (uid, gid) = owner { try directory.setOwner(uid: uid, gid: gid) }  // last: until now only root's
            } catch {
                try? parent.remove(name)
                throw error
            }
            return parent.path == "/" ? "/" + name : parent.path + "/" + name
        } catch let error as DirectoryError {
            throw SnapshotError.dataDirectoryUnusable(
                path: dataDirectory + ".credentials-XXXXXX", detail: error.message)
        }
    }

    /// Removes the directory without following any link in it or in its place.
    static func remove(_ directory: String) {
        let (parentPath, name) = split(directory)
        try? DirectoryHandle.open(parentPath).remove(name)
    }

    static func split(_ path: String) -> (parent: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        return (slash == path.startIndex ? "/" : String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    static func randomSuffix() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<6).map { _ in alphabet.randomElement()! })
    }

    // MARK: - helpers

    static func passphraseVariable(_ config: LifeboatConfig) -> String? {
        if case .passphraseEnvironment(let variable) = config.encryption { return variable }
        return nil
    }

    static func isS3(_ config: LifeboatConfig) -> Bool {
        if case .s3 = config.repository.location { return true }
        return false
    }

    /// File name → content, from the credential and the S3 credentials this run unlocked the repository with.
    static func contents(_ context: EngineContext) throws -> [(String, [UInt8])] {
        var files: [(String, [UInt8])] = []
        if passphraseVariable(context.config) != nil,
            case .passphrase(_, let bytes) = try Credential.load(
                context.config.encryption, environment: context.environment)
        {
            files.append((passphraseFile, bytes))
        }
        if isS3(context.config) {
            let credentials = try StoreFactory.awsCredentials(environment: context.environment)
            var text =
                "[default]\naws_access_key_id = \(credentials.accessKeyId)\naws_secret_access_key = \(credentials.secretAccessKey)\n"
            if let token = credentials.sessionToken { text += "aws_session_token = \(token)\n" }
            files.append((awsFile, Array(text.utf8)))
        }
        return files
    }

    static func failure(_ path: String, _ operation: String) -> SnapshotError {
        .dataDirectoryUnusable(path: path, detail: "\(operation) failed: \(String(cString: strerror(errno)))")
    }
}
