// CopyDataMessage: one CopyData message of a COPY OUT stream, owned: libpq allocated it for us, and it is freed
// (PQfreemem) when the last reference goes, so a consumer can hold the bytes instead of copying them.
import CLibPQ

public final class CopyDataMessage {
    private let pointer: UnsafeMutablePointer<CChar>
    public let bytes: UnsafeRawBufferPointer

    init(_ pointer: UnsafeMutablePointer<CChar>, count: Int) {
        self.pointer = pointer
        self.bytes = UnsafeRawBufferPointer(start: pointer, count: count)
    }

    deinit { PQfreemem(pointer) }
}
