// LibpqText: makes libpq's own error texts safe and tidy to show. libpq echoes pieces of the connection string
// (whole URLs, tokens, percent-encoded values) in its parse errors; none of that may carry a password.
enum LibpqText {
    private static let redacted = "\"…\""

    /// libpq puts everything it echoes from the input inside double quotes. When the input may hold a password
    /// (a password keyword, URL user info, percent-encoding that could spell either), everything between the first
    /// and the last double quote goes: quote pairing cannot be trusted when the input itself contains quotes.
    /// Otherwise only fragments that are not plain keywords go, since whole URLs are echoed too.
    static func redactedParseReason(_ reason: String, input: String) -> String {
        let text = trimmed(reason)
        if mayHoldPassword(input) {
            guard let first = text.firstIndex(of: "\""), let last = text.lastIndex(of: "\""), first < last else {
                return text
            }
            return String(text[..<first]) + redacted + String(text[text.index(after: last)...])
        }
        return redactingQuotedFragments(text)
    }

    /// libpq's multi-line messages joined on one line, with the password masked as a second line of defence.
    static func connectionDetail(_ message: String, password: String?) -> String {
        var detail = message.split(whereSeparator: \.isNewline)
            .map { trimmed(String($0)) }
            .filter { !$0.isEmpty }
            .joined(separator: "; ")
        // Very short passwords would mask ordinary words; libpq does not echo passwords anyway.
        if let password, password.count >= 4 {
            detail = detail.masking(password)
        }
        return detail.isEmpty ? "no reason given by libpq" : detail
    }

    /// The first line of a server or libpq error, without the severity prefix.
    static func firstLine(_ message: String) -> String {
        let line = message.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let bare = line.hasPrefix("ERROR:") ? String(line.dropFirst("ERROR:".count)) : line
        let text = trimmed(bare)
        return text.isEmpty ? "no reason given" : text
    }

    static func trimmed(_ text: String) -> String {
        String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    private static func mayHoldPassword(_ input: String) -> Bool {
        input.lowercased().contains("password") || input.contains("@") || input.contains("%")
    }

    private static func redactingQuotedFragments(_ text: String) -> String {
        let pieces = text.split(separator: "\"", omittingEmptySubsequences: false)
        return pieces.enumerated().map { index, piece in
            guard index % 2 == 1 else { return String(piece) }
            let unterminated = index == pieces.count - 1
            return !unterminated && isSafeFragment(piece) ? "\"\(piece)\"" : redacted
        }.joined()
    }

    /// Single characters ("=", "/") and bare keywords ("hots" in "invalid connection option") help the user.
    private static func isSafeFragment(_ fragment: Substring) -> Bool {
        if fragment.count == 1 { return true }
        guard fragment.count <= 64, let first = fragment.first, first.isLetter || first == "_" else { return false }
        return fragment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}

extension String {
    fileprivate func masking(_ secret: String) -> String {
        split(separator: secret, omittingEmptySubsequences: false).joined(separator: "…")
    }
}
