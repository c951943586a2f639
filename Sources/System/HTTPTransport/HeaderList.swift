// HeaderList: the caller's headers as the curl_slist curl sends them, checked first so no header can inject
// another (CR/LF) or be silently dropped or altered by curl's special header syntax.
import CLibCurl

/// Owns the curl_slist; curl only borrows it, so it must outlive the transfer (use withExtendedLifetime).
final class HeaderList {
    private(set) var list: UnsafeMutablePointer<curl_slist>?

    init(_ headers: [(name: String, value: String)], bodyLength: Int64) throws {
        for header in headers {
            try Self.validate(header, bodyLength: bodyLength)
            try append(Self.line(header))
        }
    }

    deinit { curl_slist_free_all(list) }

    /// curl treats `name:` with nothing after the colon as "do not send this header" and `name;` as
    /// "send `name:` with an empty value", so empty and blank values use the second form.
    static func line(_ header: (name: String, value: String)) -> String {
        let blank = header.value.allSatisfy { $0 == " " || $0 == "\t" }
        return blank ? "\(header.name);" : "\(header.name): \(header.value)"
    }

    private func append(_ line: String) throws {
        guard let extended = curl_slist_append(list, line) else {
            throw TransportError.invalidArgument("out of memory building the header list")
        }
        list = extended
    }

    private static func validate(_ header: (name: String, value: String), bodyLength: Int64) throws {
        guard !header.name.isEmpty, header.name.utf8.allSatisfy(isTokenByte) else {
            throw TransportError.invalidArgument("header name '\(printable(header.name))' is not a valid http token")
        }
        guard header.value.utf8.allSatisfy(isValueByte) else {
            throw TransportError.invalidArgument("value of header '\(header.name)' contains control characters")
        }
        switch header.name.lowercased() {
        case "transfer-encoding":
            throw TransportError.invalidArgument(
                "header 'transfer-encoding' is not allowed; bodies are sent with a length")
        case "content-length" where header.value != String(bodyLength):
            throw TransportError.invalidArgument(
                "header 'content-length' is '\(printable(header.value))' "
                    + "but the body has '\(bodyLength)' bytes")
        default:
            return
        }
    }

    /// RFC 9110 tchar: no separators, so neither ':' nor ';' can change how curl reads the line.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default:
            return tokenSymbols.contains(byte)
        }
    }

    private static let tokenSymbols: [UInt8] = Array("!#$%&'*+-.^_`|~".utf8)

    /// Visible ASCII, space, tab and obs-text; never CR, LF, NUL or other controls.
    private static func isValueByte(_ byte: UInt8) -> Bool {
        byte == 0x09 || (byte >= 0x20 && byte != 0x7F)
    }

    private static func printable(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) }.prefix(64))
    }
}
