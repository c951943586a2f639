// Curl: the one place libcurl return codes become Swift errors, and libcurl's once-per-process setup.
import CLibCurl

enum Curl {
    /// curl_global_init must run exactly once, before any other curl call. A static let is initialised
    /// lazily and exactly once (Swift guards it with a once-lock), which is what curl needs.
    private static let globalInitCode: UInt32 = curl_global_init(Int(CURL_GLOBAL_DEFAULT)).rawValue

    static func initialiseOnce() throws {
        let code = globalInitCode
        guard code == CURLE_OK.rawValue else {
            throw TransportError.curl(code: Int(code), detail: "curl_global_init failed: \(describe(CURLcode(code)))")
        }
    }

    /// For setup calls (setopt, getinfo): they fail only for an unknown option or out of memory.
    static func check(_ code: CURLcode, _ what: String) throws {
        guard code == CURLE_OK else {
            throw TransportError.curl(code: Int(code.rawValue), detail: "\(what): \(describe(code))")
        }
    }

    static func describe(_ code: CURLcode) -> String {
        guard let text = curl_easy_strerror(code) else { return "unknown curl error" }
        return String(cString: text)
    }

    /// Maps a failed curl_easy_perform to the error a caller (and a retry policy) can act on. `detail` is
    /// curl's error-buffer text, which names hosts but never the URL's path or query.
    static func transferError(_ code: CURLcode, detail: String, host: String) -> TransportError {
        switch code {
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return .invalidArgument("url for '\(host)' is not usable: \(detail)")
        case CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_PARTIAL_FILE,
            CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return .connection(host: host, detail: detail)
        case CURLE_OPERATION_TIMEDOUT:
            return .timeout(host: host, detail: detail)
        case CURLE_SSL_CONNECT_ERROR where isResetDuringHandshake(detail):
            return .connection(host: host, detail: detail)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_USE_SSL_FAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT:
            return .tls(host: host, detail: detail)
        case CURLE_ABORTED_BY_CALLBACK, CURLE_WRITE_ERROR, CURLE_READ_ERROR:
            return .aborted("transfer with '\(host)' stopped: \(detail)")
        default:
            return .curl(code: Int(code.rawValue), detail: "'\(host)': \(detail)")
        }
    }

    /// OpenSSL reports a TCP reset or EOF in the middle of the handshake as SSL_ERROR_SYSCALL; that is a
    /// broken connection (worth retrying), not a trust or protocol problem.
    private static func isResetDuringHandshake(_ detail: String) -> Bool {
        detail.contains("SSL_ERROR_SYSCALL") || detail.contains("reset by peer")
            || detail.contains("unexpected eof")
    }
}
