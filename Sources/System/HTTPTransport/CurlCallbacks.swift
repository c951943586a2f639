// CurlCallbacks: the C entry points curl calls during a transfer. They must not capture anything, so each
// one recovers the TransferContext from the userdata pointer and forwards to it.
import CLibCurl

enum CurlCallbacks {
    /// Installs the callback functions once per handle; `attach` points them at one transfer's context.
    static func install(on easy: CurlEasy) throws {
        try easy.set(
            CURLOPT_WRITEFUNCTION,
            write: { data, size, count, userdata in
                let total = size * count
                guard let context = transferContext(userdata) else { return 0 }
                return context.onBody(UnsafeRawBufferPointer(start: data, count: total)) ? total : 0
            })
        try easy.set(
            CURLOPT_HEADERFUNCTION,
            write: { data, size, count, userdata in
                let total = size * count
                guard let context = transferContext(userdata) else { return 0 }
                context.onHeader(UnsafeRawBufferPointer(start: data, count: total))
                return total
            })
        try easy.set(
            CURLOPT_READFUNCTION,
            read: { data, size, count, userdata in
                guard let context = transferContext(userdata) else { return Int(CURL_READFUNC_ABORT) }
                return context.onRead(UnsafeMutableRawBufferPointer(start: data, count: size * count))
            })
        try easy.set(
            CURLOPT_SEEKFUNCTION,
            seek: { userdata, offset, origin in
                guard let context = transferContext(userdata) else { return CURL_SEEKFUNC_FAIL }
                return context.onSeek(offset: Int64(offset), origin: origin)
            })
    }

    /// Points every callback at `context`, or at nothing (nil) once the transfer is over, so the handle
    /// never holds a pointer to a released context.
    static func attach(_ context: UnsafeMutableRawPointer?, to easy: CurlEasy) throws {
        for option in [CURLOPT_WRITEDATA, CURLOPT_HEADERDATA, CURLOPT_READDATA, CURLOPT_SEEKDATA] {
            try easy.set(option, pointer: context)
        }
    }
}

/// A free function, because a C function pointer cannot be formed from a closure that refers to `Self`.
private func transferContext(_ userdata: UnsafeMutableRawPointer?) -> TransferContext? {
    userdata.map { Unmanaged<TransferContext>.fromOpaque($0).takeUnretainedValue() }
}
