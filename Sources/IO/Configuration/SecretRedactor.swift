// SecretRedactor: finds and masks passwords in connection strings and URLs, so that no error message,
// description or JSON output of the configuration ever carries one. It over-masks rather than under-masks:
// it does not parse the way libpq does, it only has to be sure every possible password is covered.

public enum SecretRedactor {
    /// What a masked password is replaced with.
    public static let mask = "***"

    /// True when `text` carries a password: URL user info (`scheme://user:pw@host`) or a `password=` /
    /// `sslpassword=` keyword (libpq key/value form or URL query parameter) with a non-empty value.
    public static func containsPassword(_ text: String) -> Bool {
        !secretRanges(in: Array(text)).isEmpty
    }

    /// `text` with every password replaced by `mask`.
    public static func redact(_ text: String) -> String {
        let characters = Array(text)
        let ranges = secretRanges(in: characters)
        guard !ranges.isEmpty else { return text }
        var result = ""
        var position = 0
        for range in merged(ranges) {
            result += String(characters[position..<range.lowerBound]) + mask
            position = range.upperBound
        }
        return result + String(characters[position...])
    }

    private static func secretRanges(in text: [Character]) -> [Range<Int>] {
        userInfoPasswordRanges(in: text) + keywordPasswordRanges(in: text)
    }

    /// For each `://`, the text between the first ':' of the user info and the last '@' before the query:
    /// taking the last '@' also covers passwords that contain an unencoded '@' or '/'.
    private static func userInfoPasswordRanges(in text: [Character]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0
        while let separator = find([":", "/", "/"], in: text, from: index) {
            let start = separator + 3
            let end = text[start...].firstIndex { $0 == "?" || $0 == "#" || $0.isWhitespace } ?? text.count
            if let at = text[start..<end].lastIndex(of: "@"),
                let colon = text[start..<at].firstIndex(of: ":"), colon + 1 < at
            {
                ranges.append((colon + 1)..<at)
            }
            index = start
        }
        return ranges
    }

    /// Values of `password` and `sslpassword` keywords, quoted (`'...'` with backslash escapes) or not.
    private static func keywordPasswordRanges(in text: [Character]) -> [Range<Int>] {
        let lower = text.map(asciiLowercased)
        var ranges: [Range<Int>] = []
        var index = 0
        while let found = find(Array("password"), in: lower, from: index) {
            index = found + 1
            guard isKeywordStart(found, in: lower) else { continue }
            guard var cursor = skipEquals(after: found + 8, in: text) else { continue }
            let valueStart = cursor
            if cursor < text.count, text[cursor] == "'" {
                cursor = closingQuote(after: cursor, in: text)
                if cursor > valueStart + 1 { ranges.append((valueStart + 1)..<cursor) }
            } else {
                while cursor < text.count, !text[cursor].isWhitespace, text[cursor] != "&" { cursor += 1 }
                if cursor > valueStart { ranges.append(valueStart..<cursor) }
            }
        }
        return ranges
    }

    private static func isKeywordStart(_ index: Int, in lower: [Character]) -> Bool {
        var start = index
        if start >= 3, String(lower[(start - 3)..<start]) == "ssl" { start -= 3 }
        guard start > 0 else { return true }
        let before = lower[start - 1]
        return before.isWhitespace || before == "?" || before == "&" || before == ";"
    }

    /// The index after `\s*=\s*` starting at `index`, or nil when no '=' follows.
    private static func skipEquals(after index: Int, in text: [Character]) -> Int? {
        var cursor = index
        while cursor < text.count, text[cursor].isWhitespace { cursor += 1 }
        guard cursor < text.count, text[cursor] == "=" else { return nil }
        cursor += 1
        while cursor < text.count, text[cursor].isWhitespace { cursor += 1 }
        return cursor
    }

    /// The index of the quote closing the one at `open`, or the end of the text when it is unterminated.
    private static func closingQuote(after open: Int, in text: [Character]) -> Int {
        var cursor = open + 1
        while cursor < text.count, text[cursor] != "'" {
            cursor += text[cursor] == "\\" ? 2 : 1
        }
        return min(cursor, text.count)
    }

    private static func find(_ needle: [Character], in text: [Character], from start: Int) -> Int? {
        guard needle.count <= text.count, start <= text.count - needle.count else { return nil }
        for index in start...(text.count - needle.count)
        where text[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }

    /// Only ASCII letters are folded: keywords are ASCII, and folding other characters could change the count.
    private static func asciiLowercased(_ character: Character) -> Character {
        guard character.isASCII, character.isUppercase, let lower = character.lowercased().first else {
            return character
        }
        return lower
    }

    private static func merged(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, range.lowerBound <= last.upperBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }
}
