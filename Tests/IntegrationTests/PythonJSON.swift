// PythonJSON: a short Python script run on one file, answering in JSON — how the tests read YAML and Prometheus
// text with the libraries users' own tools use (PyYAML, prometheus_client) instead of parsers of their own.
import Foundation
import TestSupport
import XCTest

extension XCTestCase {
    /// Runs `python3 -c script argument` and returns the JSON the script printed; asserts that it exited 0.
    func pythonJSON(_ script: String, _ argument: String, file: StaticString = #filePath, line: UInt = #line)
        throws -> Any
    {
        let result = try ProcessRunner.run("/usr/bin/env", ["python3", "-c", script, argument])
        XCTAssertEqual(result.status, 0, "python3 on \(argument): \(result.output)", file: file, line: line)
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }
}
