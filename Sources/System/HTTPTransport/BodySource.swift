// BodySource: a pull-style reader for upload bodies, so a multi-gigabyte part streams from disk or a
// pipeline without being held in memory.

/// Used only on the thread running the transfer. `read` fills `into` from the front and returns how many
/// bytes it wrote; 0 means the end of the body. Throwing aborts the transfer and the error is rethrown by
/// `HTTPClient.send` unchanged.
public protocol BodySource: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}
