// AWSCredentials: the static key pair (and optional session token) every S3 request is signed with.
// Its textual and reflected forms show only the access key id, so credentials can be logged by accident
// without leaking the secret.

public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String {
        let token = sessionToken == nil ? "" : ", session token: <redacted>"
        return "aws credentials (access key id '\(accessKeyId)', secret: <redacted>\(token))"
    }

    public var debugDescription: String { description }

    // `dump` and debuggers walk the mirror, not `description`; keep the secret out of it too.
    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyId": accessKeyId, "hasSessionToken": sessionToken != nil])
    }
}
