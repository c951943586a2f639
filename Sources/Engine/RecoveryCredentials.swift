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
    static func write(context: EngineContext, dataDirectory: String, owner: (uid_t, gid_t)?) throws -> String? {
        guard needed(context.config) else { return nil }
        let files = try contents(context)
        var template = Array((dataDirectory + ".credentials-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw failure(dataDirectory + ".credentials-XXXXXX", "mkdtemp")
        }
        let directory = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do {
            if let (uid, gid) = owner, chown(directory, uid, gid) != 0 { throw failure(directory, "chown") }
            for (name, bytes) in files { try writeFile(directory + "/" + name, bytes, owner: owner) }
        } catch {
            remove(directory)
            throw error
        }
        return directory
    }

    static func remove(_ directory: String) {
        try? FileManager.default.removeItem(atPath: directory)
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
           case .passphrase(_, let bytes) = try Credential.load(context.config.encryption, environment: context.environment) {
            files.append((passphraseFile, bytes))
        }
        if isS3(context.config) {
            let credentials = try StoreFactory.awsCredentials(environment: context.environment)
            var text = "[default]\naws_access_key_id = \(credentials.accessKeyId)\naws_secret_access_key = \(credentials.secretAccessKey)\n"
            if let token = credentials.sessionToken { text += "aws_session_token = \(token)\n" }
            files.append((awsFile, Array(text.utf8)))
        }
        return files
    }

    /// Created exclusively with mode 0600 in the fresh private directory, then handed to the server's OS user.
    static func writeFile(_ path: String, _ bytes: [UInt8], owner: (uid_t, gid_t)?) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure(path, "create") }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw failure(path, "write") }
            written += count
        }
        if let (uid, gid) = owner, fchown(fd, uid, gid) != 0 { throw failure(path, "chown") }
        guard fsync(fd) == 0 else { throw failure(path, "fsync") }
    }

    static func failure(_ path: String, _ operation: String) -> SnapshotError {
        .dataDirectoryUnusable(path: path, detail: "\(operation) failed: \(String(cString: strerror(errno)))")
    }
}
