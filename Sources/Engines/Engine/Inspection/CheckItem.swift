// CheckItem: one line of `lifeboat check` (and one element of its --json array, docs/json.md).
public struct CheckItem: Codable, Sendable {
    public var check: String
    public var ok: Bool
    public var detail: String
    public var hint: String?
    /// Present (true) for a warning: the check passed, but something should change.
    public var warning: Bool?
    /// Present (true) when the check could not run; `detail` says why.
    public var skipped: Bool?

    public init(
        check: String, ok: Bool, detail: String, hint: String? = nil, warning: Bool? = nil,
        skipped: Bool? = nil
    ) {
        self.check = check
        self.ok = ok
        self.detail = detail
        self.hint = hint
        self.warning = warning
        self.skipped = skipped
    }
}
