// CredentialChain: finds static AWS credentials the way the AWS CLI does for the common cases:
// environment first, then the shared credentials file, then the config file, for one profile.
// The environment and the files' contents are parameters, so resolution is pure and deterministic in tests;
// the S3 module's AWSProfileLoader reads the files where `sharedFilePaths` says they are.

public enum CredentialChain {
    /// Profile settings that mean "keys come from somewhere else"; named in the error instead of a vague miss.
    static let unsupportedSettings = [
        "credential_process", "sso_session", "sso_start_url", "role_arn", "web_identity_token_file",
    ]

    /// Where the shared files are: AWS_CONFIG_FILE or ~/.aws/config, AWS_SHARED_CREDENTIALS_FILE or
    /// ~/.aws/credentials, with a leading `~` taken as `homeDirectory`.
    public static func sharedFilePaths(environment: [String: String], homeDirectory: String)
        -> (config: String, credentials: String)
    {
        let config = expand(nonEmpty(environment["AWS_CONFIG_FILE"]) ?? "~/.aws/config", home: homeDirectory)
        let credentials = expand(
            nonEmpty(environment["AWS_SHARED_CREDENTIALS_FILE"]) ?? "~/.aws/credentials", home: homeDirectory)
        return (config, credentials)
    }

    /// AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN); else profile AWS_PROFILE (default
    /// "default") from the shared credentials file, then the config file ([profile NAME] / [default] sections,
    /// aws_access_key_id / aws_secret_access_key / aws_session_token). Also returns `region` from the config
    /// file's profile section when present; the AWS_REGION / AWS_DEFAULT_REGION variables are deliberately
    /// left to the caller's own precedence rules. The config file is always parsed (a broken one is an error
    /// even when the environment has keys); `credentialsFile` is asked for only when the environment has no
    /// key pair, so a credentials file that cannot be read does not matter then.
    public static func resolve(
        environment: [String: String], configFile: AWSSharedFile,
        credentialsFile: () -> AWSSharedFile
    ) throws
        -> (credentials: AWSCredentials, region: String?)
    {
        let profile = nonEmpty(environment["AWS_PROFILE"]) ?? "default"
        let config = try AWSProfileFile.read(configFile)
        let configProfile = config.flatMap { configSection(in: $0, profile: profile) }
        let region = configProfile.flatMap { nonEmpty($0["region"]) }

        if let credentials = try fromEnvironment(environment) { return (credentials, region) }
        var searched = ["environment variables 'AWS_ACCESS_KEY_ID' and 'AWS_SECRET_ACCESS_KEY'"]

        let shared = credentialsFile()
        let sharedProfiles = try AWSProfileFile.read(shared)
        let candidates: [(path: String, section: [String: String]?)] = [
            (shared.path, sharedProfiles?.sections[profile]),
            (configFile.path, configProfile),
        ]
        for candidate in candidates {
            searched.append("profile '\(profile)' in '\(candidate.path)'")
            guard let section = candidate.section else { continue }
            if let credentials = try fromProfile(section, source: "profile '\(profile)' in '\(candidate.path)'") {
                return (credentials, region)
            }
        }
        for candidate in candidates {
            guard let section = candidate.section else { continue }
            if let setting = unsupportedSettings.first(where: { section[$0] != nil }) {
                throw S3ProtocolError.unsupportedProfile(profile: profile, setting: setting, path: candidate.path)
            }
        }
        throw S3ProtocolError.noCredentials(searched: searched)
    }

    private static func fromEnvironment(_ environment: [String: String]) throws -> AWSCredentials? {
        try pair(
            id: nonEmpty(environment["AWS_ACCESS_KEY_ID"]), idName: "AWS_ACCESS_KEY_ID",
            secret: nonEmpty(environment["AWS_SECRET_ACCESS_KEY"]), secretName: "AWS_SECRET_ACCESS_KEY",
            token: nonEmpty(environment["AWS_SESSION_TOKEN"]), source: "the environment")
    }

    private static func fromProfile(_ section: [String: String], source: String) throws -> AWSCredentials? {
        try pair(
            id: nonEmpty(section["aws_access_key_id"]), idName: "aws_access_key_id",
            secret: nonEmpty(section["aws_secret_access_key"]), secretName: "aws_secret_access_key",
            token: nonEmpty(section["aws_session_token"]), source: source)
    }

    /// Both halves make credentials, neither means "not here", exactly one is a configuration mistake.
    private static func pair(
        id: String?, idName: String, secret: String?, secretName: String, token: String?,
        source: String
    ) throws -> AWSCredentials? {
        switch (id, secret) {
        case (let id?, let secret?):
            return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token)
        case (nil, nil):
            return nil
        case (nil, _?):
            throw S3ProtocolError.incompleteCredentials(source: source, missing: idName)
        case (_?, nil):
            throw S3ProtocolError.incompleteCredentials(source: source, missing: secretName)
        }
    }

    /// The config file names non-default profiles "[profile NAME]"; "[default]" and "[profile default]" both work.
    private static func configSection(in file: AWSProfileFile, profile: String) -> [String: String]? {
        if profile == "default" { return file.sections["default"] ?? file.sections["profile default"] }
        return file.sections["profile \(profile)"]
    }

    private static func expand(_ path: String, home: String) -> String {
        if path == "~" { return home }
        guard path.hasPrefix("~/") else { return path }
        let trimmedHome = home.hasSuffix("/") ? String(home.dropLast()) : home
        return trimmedHome + path.dropFirst()
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
