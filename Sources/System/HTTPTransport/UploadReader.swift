// UploadReader: feeds a request body to curl's read callback and holds the body to its declared length,
// so a wrong length fails the request instead of storing a truncated or padded object.

final class UploadReader {
    private let body: HTTPBody
    private let length: Int64
    private var source: BodySource?
    private var sent: Int64 = 0

    init(body: HTTPBody) {
        self.body = body
        length = body.length
    }

    /// Fills the front of `buffer`; returns 0 once `length` bytes have been sent.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let remaining = length - sent
        guard remaining > 0, buffer.count > 0 else { return 0 }
        let window = UnsafeMutableRawBufferPointer(rebasing: buffer.prefix(Int(min(Int64(buffer.count), remaining))))
        let count: Int
        switch body {
        case .none:
            count = 0
        case .bytes(let bytes):
            count = copy(from: bytes, into: window)
        case .stream(_, let makeSource):
            count = try currentSource(makeSource).read(into: window)
        }
        guard count > 0, count <= window.count else {
            throw TransportError.invalidArgument(
                count > 0
                    ? "body source wrote '\(count)' bytes into a buffer of '\(window.count)'"
                    : "body source ended after '\(sent)' of its declared '\(length)' bytes")
        }
        sent += Int64(count)
        if sent == length { try confirmExhausted() }
        return count
    }

    /// curl rewinds when it must resend the body on a fresh connection; a new source from the factory
    /// starts again at byte 0. Only a rewind to the start is supported (curl never asks for another).
    func rewind() {
        sent = 0
        source = nil
    }

    private func currentSource(_ makeSource: @Sendable () -> BodySource) -> BodySource {
        if let source { return source }
        let fresh = makeSource()
        source = fresh
        return fresh
    }

    private func copy(from bytes: [UInt8], into window: UnsafeMutableRawBufferPointer) -> Int {
        bytes.withUnsafeBytes { all in
            let slice = UnsafeRawBufferPointer(rebasing: all[Int(sent)..<(Int(sent) + window.count)])
            window.copyMemory(from: slice)
        }
        return window.count
    }

    /// A stream source must end exactly at its declared length; one extra read proves it did.
    private func confirmExhausted() throws {
        guard let source else { return }
        var probe: UInt8 = 0
        let extra = try withUnsafeMutableBytes(of: &probe) { try source.read(into: $0) }
        guard extra == 0 else {
            throw TransportError.invalidArgument("body source has more than its declared '\(length)' bytes")
        }
    }
}
