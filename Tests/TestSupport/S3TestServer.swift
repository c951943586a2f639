// S3TestServer: the S3-compatible server scripts/test.sh starts for the suites (moto with SigV4 verification
// on, behind scripts/fault-proxy.py), as its environment variables describe it, and boto3 for checking what is
// really in a bucket. A missing server fails the test: it is never a skip.
import Foundation
import XCTest

public struct S3TestServer {
    public let endpoint: String
    /// The fault-injecting proxy in front of `endpoint`.
    public let proxy: String
    public let bucket: String
    public let region: String
    public let accessKeyID: String
    public let secretAccessKey: String
    /// A bucket created with Object Lock enabled (and so versioning), default retention GOVERNANCE 1 day.
    public static let lockedBucket = "lifeboat-locked"
    /// A bucket with versioning on and no Object Lock.
    public static let versionedBucket = "lifeboat-versioned"
    public var lockedBucket: String { Self.lockedBucket }
    public var versionedBucket: String { Self.versionedBucket }

    /// The server's credentials as the environment of a child process.
    public var credentials: [String: String] {
        ["AWS_ACCESS_KEY_ID": accessKeyID, "AWS_SECRET_ACCESS_KEY": secretAccessKey]
    }

    public static func require(file: StaticString = #filePath, line: UInt = #line) throws -> S3TestServer {
        let env = ProcessInfo.processInfo.environment
        guard let endpoint = env["LIFEBOAT_TEST_S3_ENDPOINT"], let proxy = env["LIFEBOAT_TEST_S3_PROXY"],
            let bucket = env["LIFEBOAT_TEST_S3_BUCKET"], let key = env["AWS_ACCESS_KEY_ID"],
            let secret = env["AWS_SECRET_ACCESS_KEY"]
        else {
            XCTFail("the S3 test server is not configured: run the suite with scripts/test.sh", file: file, line: line)
            throw XCTSkip("unreachable")
        }
        return S3TestServer(
            endpoint: endpoint, proxy: proxy, bucket: bucket,
            region: env["LIFEBOAT_TEST_S3_REGION"] ?? "us-east-1",
            accessKeyID: key, secretAccessKey: secret)
    }

    /// Runs a Python snippet with `s3` bound to a boto3 client of the test server; returns its stdout.
    public func boto3(_ code: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let script =
            "import boto3, json, sys\n"
            + "s3 = boto3.client('s3', endpoint_url='\(endpoint)', region_name='\(region)')\n" + code
        let result = try ProcessRunner.run(
            "/usr/bin/env", ["python3", "-c", script],
            environment: ProcessInfo.processInfo.environment)
        XCTAssertEqual(result.status, 0, "boto3 script failed: " + result.stderr, file: file, line: line)
        return result.stdout
    }

    /// Key → storage class of every object under `prefix` in `bucket`.
    public func storageClasses(bucket: String? = nil, prefix: String) throws -> [String: String] {
        let output = try boto3(
            """
            pages = s3.get_paginator('list_objects_v2').paginate(Bucket='\(bucket ?? self.bucket)', Prefix='\(prefix)/')
            print(json.dumps({o['Key'][len('\(prefix)/'):]: o.get('StorageClass', 'STANDARD') \
            for p in pages for o in p.get('Contents', [])}))
            """)
        return try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: String] ?? [:]
    }
}
