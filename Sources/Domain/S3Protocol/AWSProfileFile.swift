// AWSProfileFile: the INI dialect of ~/.aws/credentials and ~/.aws/config, read the way botocore's
// configparser reads it: '#'/';' comment lines, '=' or ':' delimiters, lower-cased setting names, values
// kept verbatim (no inline comments), indented lines continuing the previous setting (nested `s3 =` blocks).
// It parses text the edge read (AWSSharedFile); it never opens a file itself.
import Foundation

struct AWSProfileFile: Sendable, Equatable {
    /// Section name (as written between the brackets, trimmed) to its settings (names lower-cased).
    var sections: [String: [String: String]] = [:]

    /// Returns nil when the file does not exist, so a missing file is simply "not found here".
    static func read(_ file: AWSSharedFile) throws -> AWSProfileFile? {
        switch file.contents {
        case .absent:
            return nil
        case .unreadable:
            throw S3ProtocolError.unreadableCredentialsFile(path: file.path)
        case .text(let text):
            return try parse(text, path: file.path)
        }
    }

    static func parse(_ text: String, path: String) throws -> AWSProfileFile {
        var file = AWSProfileFile()
        var section: String?
        var lastSettingLine = false
        var lineNumber = 0
        // "\r\n" is one Character in Swift, so it must be named as a separator of its own.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
        for line in lines {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if let first = line.first, first == " " || first == "\t" {
                // A continuation is only meaningful right after a setting (or another continuation).
                guard lastSettingLine else {
                    throw S3ProtocolError.malformedCredentialsFile(path: path, line: lineNumber)
                }
                continue
            }
            if trimmed.hasPrefix("[") {
                let name = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                guard trimmed.hasSuffix("]"), trimmed.count >= 2, !name.isEmpty else {
                    throw S3ProtocolError.malformedCredentialsFile(path: path, line: lineNumber)
                }
                section = name
                if file.sections[name] == nil { file.sections[name] = [:] }
                lastSettingLine = false
                continue
            }
            guard let current = section, let (name, value) = setting(trimmed) else {
                throw S3ProtocolError.malformedCredentialsFile(path: path, line: lineNumber)
            }
            file.sections[current, default: [:]][name] = value
            lastSettingLine = true
        }
        return file
    }

    /// Splits at the first '=' or ':' like configparser; the name must not be empty.
    private static func setting(_ line: String) -> (String, String)? {
        guard let delimiter = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return nil }
        let name = line[..<delimiter].trimmingCharacters(in: .whitespaces).lowercased()
        let value = line[line.index(after: delimiter)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return nil }
        return (name, value)
    }
}
