// Curl: the curl command, for talking to test servers independently of the HTTP code under test.
import Foundation

public enum Curl {
    /// Runs `curl -sS --fail` with `arguments` and returns the response body; an HTTP error or a failed
    /// transfer throws, naming the arguments.
    @discardableResult
    public static func run(_ arguments: [String]) throws -> Data {
        let captured = try ProcessRunner.capture("/usr/bin/env", ["curl", "-sS", "--fail"] + arguments)
        guard captured.status == 0 else {
            let problem = String(decoding: captured.stderr, as: UTF8.self)
            throw NSError(
                domain: "curl", code: Int(captured.status),
                userInfo: [NSLocalizedDescriptionKey: "curl \(arguments) failed: " + problem])
        }
        return captured.stdout
    }
}
