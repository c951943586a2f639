// XMLTree: a small element tree built with Foundation's XMLParser, so each S3 response reader is a few
// lookups instead of its own delegate state machine. Element names lose their namespace prefix; S3 bodies
// use a default namespace that carries no meaning for us.
import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

struct XMLNode: Sendable, Equatable {
    var name: String
    /// All character data directly inside this element, unmodified (keys may begin or end with spaces).
    var text: String = ""
    var children: [XMLNode] = []

    func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }
    func children(named name: String) -> [XMLNode] { children.filter { $0.name == name } }
    func text(of name: String) -> String? { child(name)?.text }

    /// A child's text trimmed, or nil when the element is missing or blank.
    func value(of name: String) -> String? {
        guard let text = child(name)?.text.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
        else { return nil }
        return text
    }
}

enum XMLTree {
    /// Parses a whole document; nil when it is empty or not well-formed.
    static func parse(_ body: [UInt8]) -> XMLNode? {
        // AWS keeps long CompleteMultipartUpload calls alive by sending whitespace before the document,
        // which would put the XML declaration illegally late; skip it (and a UTF-8 byte order mark).
        var start = 0
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        while start < body.count, [0x20, 0x09, 0x0A, 0x0D].contains(body[start]) { start += 1 }
        guard start < body.count else { return nil }
        let parser = XMLParser(data: Data(body[start...]))
        let builder = XMLTreeBuilder()
        parser.delegate = builder
        parser.shouldResolveExternalEntities = false
        guard parser.parse(), !builder.failed else { return nil }
        return builder.root
    }
}

/// XMLParser's delegate; created, used and dropped inside one `XMLTree.parse` call on one thread.
private final class XMLTreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLNode] = []
    var root: XMLNode?
    var failed = false

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]
    ) {
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        stack.append(XMLNode(name: local))
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
        qualifiedName qName: String?
    ) {
        guard let node = stack.popLast() else {
            failed = true
            return
        }
        if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA block: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: block, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        failed = true
    }
}
