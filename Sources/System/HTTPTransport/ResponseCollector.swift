// ResponseCollector: turns curl's header and body callbacks into an HTTPResponse, streaming a 2xx body to
// the caller's sink when there is one and collecting every other body (S3 error XML) in memory.

final class ResponseCollector {
    typealias Sink = (UnsafeRawBufferPointer) throws -> Void

    /// Error bodies are small XML documents; past this a misbehaving server cannot exhaust memory.
    static let errorBodyLimit = 1 << 20
    /// A Content-Length hint larger than this is not trusted for reserving memory up front.
    private static let reserveLimit = 64 << 20

    private let sink: Sink?
    private(set) var status = 0
    private(set) var headers: [String: String] = [:]
    private(set) var body: [UInt8] = []

    init(sink: Sink?) {
        self.sink = sink
    }

    /// One raw header line including its CRLF. A status line starts a new response, so headers of an
    /// interim `100 Continue` do not leak into the final response.
    func receiveHeaderLine(_ raw: UnsafeRawBufferPointer) {
        let line = String(decoding: raw, as: UTF8.self).trimmed(of: " \t\r\n")
        if line.hasPrefix("HTTP/") {
            status = Self.parseStatus(line) ?? 0
            headers = [:]
            body = []
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            headers[name] = String(line[line.index(after: colon)...]).trimmed(of: " \t")
        }
    }

    func receiveBody(_ chunk: UnsafeRawBufferPointer) throws {
        guard !chunk.isEmpty else { return }
        if let sink, (200..<300).contains(status) {
            try sink(chunk)
        } else if sink == nil {
            reserveIfFirst()
            body.append(contentsOf: chunk)
        } else if body.count < Self.errorBodyLimit {
            body.append(contentsOf: chunk.prefix(Self.errorBodyLimit - body.count))
        }
    }

    private func reserveIfFirst() {
        guard body.isEmpty, let declared = headers["content-length"].flatMap({ Int($0) }), declared > 0 else { return }
        body.reserveCapacity(min(declared, Self.reserveLimit))
    }

    private static func parseStatus(_ line: String) -> Int? {
        let fields = line.split(separator: " ", maxSplits: 2)
        return fields.count >= 2 ? Int(fields[1]) : nil
    }
}

extension String {
    fileprivate func trimmed(of set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        let view = unicodeScalars
        guard let start = view.firstIndex(where: { !scalars.contains($0) }),
            let end = view.lastIndex(where: { !scalars.contains($0) })
        else { return "" }
        return String(view[start...end])
    }
}
