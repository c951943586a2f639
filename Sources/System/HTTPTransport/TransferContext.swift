// TransferContext: the state curl's C callbacks reach through their userdata pointer for one transfer.
// C callbacks cannot throw, so the first error from caller code (BodySource, sink) or from the length
// checks is parked here, the callback tells curl to abort, and HTTPClient rethrows it after the transfer.
import CLibCurl

/// Touched only by the thread inside curl_easy_perform, so it needs no locking.
final class TransferContext {
    let upload: UploadReader
    let response: ResponseCollector
    private(set) var failure: (any Error)?

    init(body: HTTPBody, sink: ResponseCollector.Sink?) {
        upload = UploadReader(body: body)
        response = ResponseCollector(sink: sink)
    }

    /// Bytes written into `buffer`, or CURL_READFUNC_ABORT.
    func onRead(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard failure == nil else { return Int(CURL_READFUNC_ABORT) }
        do {
            return try upload.read(into: buffer)
        } catch {
            failure = error
            return Int(CURL_READFUNC_ABORT)
        }
    }

    /// True to continue; false makes the callback return a short count, which aborts the transfer.
    func onBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard failure == nil else { return false }
        do {
            try response.receiveBody(chunk)
            return true
        } catch {
            failure = error
            return false
        }
    }

    func onHeader(_ line: UnsafeRawBufferPointer) {
        response.receiveHeaderLine(line)
    }

    func onSeek(offset: Int64, origin: Int32) -> Int32 {
        guard offset == 0, origin == SEEK_SET else { return CURL_SEEKFUNC_CANTSEEK }
        upload.rewind()
        return CURL_SEEKFUNC_OK
    }
}
