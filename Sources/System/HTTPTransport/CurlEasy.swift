// CurlEasy: owns one libcurl easy handle and its error buffer, with typed setopt/getinfo calls. Keeping the
// handle across requests keeps curl's connection cache, so consecutive requests reuse one connection.
import CLibCurl

final class CurlEasy {
    private let handle: UnsafeMutableRawPointer
    /// curl writes the failure text of the last transfer here; it must live as long as the handle.
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init() throws {
        guard let handle = curl_easy_init() else {
            throw TransportError.curl(code: Int(CURLE_FAILED_INIT.rawValue), detail: "curl_easy_init failed")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        do {
            try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        } catch {
            curl_easy_cleanup(handle)
            errorBuffer.deallocate()
            throw error
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    func set(_ option: CURLoption, _ value: Int) throws {
        try Curl.check(lb_easy_setopt_long(handle, option, value), "setting curl option '\(option.rawValue)'")
    }

    func set(_ option: CURLoption, offset: Int64) throws {
        try Curl.check(
            lb_easy_setopt_off(handle, option, curl_off_t(offset)), "setting curl option '\(option.rawValue)'")
    }

    /// curl copies string options, so the temporary C string only has to live for the call.
    func set(_ option: CURLoption, _ value: String?) throws {
        let code: CURLcode
        if let value {
            code = lb_easy_setopt_string(handle, option, value)
        } else {
            code = lb_easy_setopt_string(handle, option, nil)
        }
        try Curl.check(code, "setting curl option '\(option.rawValue)'")
    }

    func set(_ option: CURLoption, pointer: UnsafeMutableRawPointer?) throws {
        try Curl.check(lb_easy_setopt_pointer(handle, option, pointer), "setting curl option '\(option.rawValue)'")
    }

    /// curl keeps the pointer, not a copy: the list must outlive the transfer.
    func set(_ option: CURLoption, list: UnsafeMutablePointer<curl_slist>?) throws {
        try Curl.check(lb_easy_setopt_slist(handle, option, list), "setting curl option '\(option.rawValue)'")
    }

    func set(_ option: CURLoption, write callback: curl_write_callback) throws {
        try Curl.check(
            lb_easy_setopt_write_callback(handle, option, callback), "setting curl option '\(option.rawValue)'")
    }

    func set(_ option: CURLoption, read callback: curl_read_callback) throws {
        try Curl.check(
            lb_easy_setopt_read_callback(handle, option, callback), "setting curl option '\(option.rawValue)'")
    }

    func set(_ option: CURLoption, seek callback: curl_seek_callback) throws {
        try Curl.check(
            lb_easy_setopt_seek_callback(handle, option, callback), "setting curl option '\(option.rawValue)'")
    }

    /// Runs the configured transfer; on failure also returns curl's message for it.
    func perform() -> (code: CURLcode, detail: String) {
        errorBuffer[0] = 0
        let code = curl_easy_perform(handle)
        guard code != CURLE_OK else { return (code, "") }
        let text = String(cString: errorBuffer)
        return (code, Self.lowercasingFirst(text.isEmpty ? Curl.describe(code) : text))
    }

    func responseCode() throws -> Int {
        var code = 0
        try Curl.check(lb_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code), "reading the response code")
        return code
    }

    /// Lifeboat messages are lower case; curl's start with a capital ("Failed to connect ..."). Acronyms
    /// ("URL using ...", "OpenSSL/3.0 ...") are left alone.
    private static func lowercasingFirst(_ text: String) -> String {
        guard let first = text.first, first.isUppercase, text.dropFirst().first?.isLowercase == true else {
            return text
        }
        return first.lowercased() + text.dropFirst()
    }
}
