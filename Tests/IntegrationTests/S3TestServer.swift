// S3TestServer: the moto server scripts/test.sh starts (SigV4 verification on), its fault proxy, and boto3 for
// checking what is really in the bucket. A missing server fails the test.
import Foundation
import XCTest

struct S3TestServer {
    let endpoint: String
    let proxy: String
    let bucket: String
    /// A bucket created with Object Lock enabled (and so versioning).
    let lockedBucket = "lifeboat-locked"
    let credentials: [String: String]

    static func require(file: StaticString = #filePath, line: UInt = #line) throws -> S3TestServer {
        let env = ProcessInfo.processInfo.environment
        guard let endpoint = env["LIFEBOAT_TEST_S3_ENDPOINT"], let proxy = env["LIFEBOAT_TEST_S3_PROXY"],
              let bucket = env["LIFEBOAT_TEST_S3_BUCKET"], let key = env["AWS_ACCESS_KEY_ID"], let secret = env["AWS_SECRET_ACCESS_KEY"] else {
            XCTFail("the S3 test server is not configured: run the suite with scripts/test.sh", file: file, line: line)
            throw XCTSkip("unreachable")
        }
        return S3TestServer(endpoint: endpoint, proxy: proxy, bucket: bucket,
                            credentials: ["AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret])
    }

    /// lifeboat.yml for an s3:// repository at `bucket/prefix`, through `endpoint` (the proxy, for faults).
    func writeConfig(_ workspace: Workspace, bucket: String? = nil, prefix: String, database: String,
                     endpoint: String? = nil, extra: String = "") throws {
        try """
            cluster: main
            postgres:
              url: "\(workspace.env.url(database: database))"
            repository:
              url: "s3://\(bucket ?? self.bucket)/\(prefix)"
              endpoint: "\(endpoint ?? self.endpoint)"
              region: us-east-1
              addressing: path
            encryption:
              key_file: \(workspace.keyFile)
            \(extra)
            """.write(toFile: workspace.configPath, atomically: true, encoding: .utf8)
    }

    /// Runs a Python snippet with `s3` bound to a boto3 client of the test server; returns its stdout.
    func boto3(_ code: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let script = "import boto3, json, sys\ns3 = boto3.client('s3', endpoint_url='\(endpoint)', region_name='us-east-1')\n" + code
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        process.environment = ProcessInfo.processInfo.environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let problem = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "boto3 script failed: " + String(decoding: problem, as: UTF8.self), file: file, line: line)
        return String(decoding: data, as: UTF8.self)
    }

    /// Key → storage class of every object under `prefix` in `bucket`.
    func storageClasses(bucket: String? = nil, prefix: String) throws -> [String: String] {
        let output = try boto3("""
            pages = s3.get_paginator('list_objects_v2').paginate(Bucket='\(bucket ?? self.bucket)', Prefix='\(prefix)/')
            print(json.dumps({o['Key'][len('\(prefix)/'):]: o.get('StorageClass', 'STANDARD') for p in pages for o in p.get('Contents', [])}))
            """)
        return try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: String] ?? [:]
    }

    /// Queues faults in the proxy (see scripts/fault-proxy.py).
    func queueFaults(_ faults: [[String: Any]]) throws {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: faults), as: UTF8.self)
        try Self.curl(["-X", "POST", "--data-binary", body, proxy + "/__faults__"])
    }

    /// The proxy's request log: method, path, status, done.
    func proxyLog() throws -> [[String: Any]] {
        let data = try Self.curl([proxy + "/__faults__"])
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["log"] as? [[String: Any]] ?? []
    }

    func clearFaults() throws { try Self.curl(["-X", "DELETE", proxy + "/__faults__"]) }

    @discardableResult
    static func curl(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "--fail"] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "curl", code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: "curl \(arguments) failed"])
        }
        return data
    }
}
