// The S3 request executors without a server: a scripted executor stands in for the network, so the retry
// rules (which outcomes, how many attempts, the summary of every attempt) and the store's use of the chain
// are checked exactly. The real server and the fault proxy check the same through S3StoreTests.
import Foundation
import HTTPTransport
import S3Protocol
import Storage
import XCTest

@testable import S3

final class S3ExecutorTests: XCTestCase {
    func testTransientOutcomesAreRetriedUntilSuccess() throws {
        let script = ScriptedExecutor([.status(503, "SlowDown"), .status(500, nil), .drop, .status(200, nil)])
        let delays = Shared<[TimeInterval]>([])
        let retrying = S3RetryingExecutor(script, maxAttempts: 5) { delay in delays.update { $0.append(delay) } }
        let exchange = try retrying.execute(Self.request())
        XCTAssertTrue(exchange.succeeded)
        XCTAssertEqual(script.calls, 4)
        XCTAssertEqual(
            exchange.attempts.prefix(3),
            ["HTTP 503 SlowDown", "HTTP 500", "connection to 'h' failed: reset"])
        XCTAssertEqual(delays.value.count, 3)
        for (attempt, delay) in delays.value.enumerated() {
            XCTAssertLessThan(delay, RetryPolicy.ceilingDelay(attempt: attempt), "full jitter below the ceiling")
        }
    }

    func testPermanentOutcomesEndTheRequestAtOnce() throws {
        for step in [
            ScriptedExecutor.Step.status(403, "AccessDenied"), .status(404, "NoSuchKey"), .status(412, nil),
            .status(400, "RequestTimeTooSkewed"), .tls,
        ] {
            let script = ScriptedExecutor([step, .status(200, nil)])
            let exchange = try S3RetryingExecutor(script, maxAttempts: 5, sleeper: { _ in }).execute(Self.request())
            XCTAssertFalse(exchange.succeeded, "\(step)")
            XCTAssertEqual(script.calls, 1, "\(step) is not retried")
            XCTAssertEqual(exchange.attempts.count, 1)
        }
    }

    func testGivingUpKeepsEveryAttemptAndAtLeastOneIsMade() throws {
        let script = ScriptedExecutor(Array(repeating: .status(503, "SlowDown"), count: 5))
        let exchange = try S3RetryingExecutor(script, maxAttempts: 3, sleeper: { _ in }).execute(Self.request())
        XCTAssertEqual(script.calls, 3)
        XCTAssertEqual(exchange.attempts, Array(repeating: "HTTP 503 SlowDown", count: 3))
        let once = ScriptedExecutor([.status(503, "SlowDown"), .status(200, nil)])
        let exchange0 = try S3RetryingExecutor(once, maxAttempts: 0, sleeper: { _ in }).execute(Self.request())
        XCTAssertFalse(exchange0.succeeded)
        XCTAssertEqual(once.calls, 1)
    }

    func testErrorsFromOutsideTheExchangePassThroughUnretried() {
        struct SourceFailed: Error {}
        let script = ScriptedExecutor([.throwing(SourceFailed()), .status(200, nil)])
        let retrying = S3RetryingExecutor(script, maxAttempts: 5, sleeper: { _ in })
        XCTAssertThrowsError(try retrying.execute(Self.request())) {
            XCTAssertTrue($0 is SourceFailed)
        }
        XCTAssertEqual(script.calls, 1)
    }

    func testTheStoreTurnsTheLastOutcomeIntoOneErrorListingEveryAttempt() throws {
        let script = ScriptedExecutor([.status(503, "SlowDown"), .drop, .status(503, "SlowDown")])
        let store = S3Store(Self.configuration, executor: S3RetryingExecutor(script, maxAttempts: 3, sleeper: { _ in }))
        XCTAssertThrowsError(try store.put(try ObjectKey("a/b"), data: [1])) { error in
            guard case .request(_, 503, "SlowDown", _, _, let attempts)? = error as? S3Error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(attempts, ["HTTP 503 SlowDown", "connection to 'h' failed: reset", "HTTP 503 SlowDown"])
            XCTAssertTrue("\(error)".contains("after 3 attempts"), "\(error)")
        }
        let dropped = ScriptedExecutor([.drop])
        let once = S3RetryingExecutor(dropped, maxAttempts: 1, sleeper: { _ in })
        let failing = S3Store(Self.configuration, executor: once)
        XCTAssertThrowsError(try failing.delete(try ObjectKey("a/b"))) { error in
            guard case .transport(let operation, _, _, let attempts)? = error as? S3Error else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(operation, "deletion of 'a/b'")
            XCTAssertEqual(attempts.count, 1)
        }
    }

    func testExclusiveCreateOfAnExistingKeyIsAnAnswerNotARetry() throws {
        let script = ScriptedExecutor([.status(412, "PreconditionFailed")])
        let store = S3Store(Self.configuration, executor: S3RetryingExecutor(script, maxAttempts: 5, sleeper: { _ in }))
        XCTAssertFalse(try store.createExclusive(try ObjectKey("locks/x.lock"), data: [1]))
        XCTAssertEqual(script.calls, 1)
        XCTAssertEqual(script.requests.first?.headers.last?.0, "if-none-match")
    }

    func testEveryAttemptIsLoggedInsideTheRetries() throws {
        let script = ScriptedExecutor([.status(503, "SlowDown"), .status(200, nil)])
        let lines = Lines()
        let chain = S3RetryingExecutor(S3LoggingExecutor(script, log: lines.append), maxAttempts: 5, sleeper: { _ in })
        _ = try chain.execute(Self.request())
        XCTAssertEqual(lines.all.count, 2)
        XCTAssertTrue(lines.all[0].hasPrefix("s3 PUT upload of 'a/b': HTTP 503 SlowDown in "), lines.all[0])
        XCTAssertTrue(lines.all[1].hasPrefix("s3 PUT upload of 'a/b': HTTP 200 in "), lines.all[1])
    }

    func testTheStoreClaimsEveryCapabilityAndAStoreUnderUploadLockKeepsTheChain() throws {
        let script = ScriptedExecutor([.status(200, nil), .status(200, nil)])
        let store = S3Store(Self.configuration, executor: script)
        XCTAssertEqual(
            store.capabilities,
            [.exclusiveCreate, .storageClasses, .rehydration, .objectLock, .versioning, .incompleteUploads])
        XCTAssertEqual(store.bucket?.name, "bucket")
        let locked = try XCTUnwrap(store.bucket).withUploadLock(UploadObjectLock(mode: "COMPLIANCE", days: 3))
        try locked.put(try ObjectKey("backups/c/id/data.lbx"), data: [1])
        try locked.put(try ObjectKey("locks/cluster-c.lock"), data: [1])
        XCTAssertEqual(script.calls, 2, "the derived store sends through the same executor")
        let headers = script.requests.map { Dictionary($0.headers, uniquingKeysWith: { $1 }) }
        XCTAssertEqual(headers[0]["x-amz-object-lock-mode"], "COMPLIANCE")
        XCTAssertNil(headers[1]["x-amz-object-lock-mode"], "repository locks get no retention")
    }

    func testTheBucketListsIncompleteUploadsUnderTheStorePrefixOnly() throws {
        let xml = """
            <ListMultipartUploadsResult><Bucket>bucket</Bucket><IsTruncated>false</IsTruncated>\
            <Upload><Key>tests/backups/c/x.lbx</Key><UploadId>u1</UploadId>\
            <Initiated>2026-11-21T00:00:00.000Z</Initiated></Upload>\
            <Upload><Key>elsewhere/y</Key><UploadId>u2</UploadId></Upload></ListMultipartUploadsResult>
            """
        let script = ScriptedExecutor([.answer(200, Array(xml.utf8)), .status(204, nil)])
        let store = S3Store(Self.configuration, executor: script)
        let uploads = try XCTUnwrap(store.bucket(for: .incompleteUploads)).incompleteUploads()
        XCTAssertEqual(uploads.map(\.key.rawValue), ["backups/c/x.lbx"])
        XCTAssertEqual(uploads.first?.initiated, Date(timeIntervalSince1970: 1_795_219_200))
        try store.bucket?.abort(uploads[0])
        XCTAssertEqual(script.requests.last?.key, "tests/backups/c/x.lbx")
        XCTAssertEqual(script.requests.last?.query.first?.1, "u1")
    }

    static let configuration = S3Configuration(
        bucket: "bucket", prefix: "tests", endpoint: URL(string: "http://127.0.0.1:9")!, region: "us-east-1",
        addressing: .path, credentials: AWSCredentials(accessKeyId: "k", secretAccessKey: "s", sessionToken: nil),
        transport: TransportOptions())

    static func request() -> S3Request { S3Request(operation: "upload of 'a/b'", method: .put, key: "tests/a/b") }
}

/// Answers each request with the next scripted step, as one attempt would, and records the requests.
final class ScriptedExecutor: S3RequestExecutor, @unchecked Sendable {
    enum Step {
        case status(Int, String?)
        case answer(Int, [UInt8])
        case drop
        case tls
        case throwing(Error)
    }

    // Guarded by `lock`.
    private let lock = NSLock()
    private var steps: [Step]
    private var seen: [S3Request] = []

    init(_ steps: [Step]) { self.steps = steps }

    var calls: Int { lock.withLock { seen.count } }
    var requests: [S3Request] { lock.withLock { seen } }

    func execute(_ request: S3Request) throws -> S3Exchange {
        let step: Step = lock.withLock {
            seen.append(request)
            return steps.isEmpty ? .status(500, "ScriptExhausted") : steps.removeFirst()
        }
        switch step {
        case .status(let status, let code):
            let body = code.map { Array("<Error><Code>\($0)</Code><Message>m</Message></Error>".utf8) } ?? []
            return Self.answer(status, body)
        case .answer(let status, let body):
            return Self.answer(status, body)
        case .drop:
            let error = TransportError.connection(host: "h", detail: "reset")
            return S3Exchange(outcome: .failed(error), attempts: [error.message])
        case .tls:
            let error = TransportError.tls(host: "h", detail: "certificate")
            return S3Exchange(outcome: .failed(error), attempts: [error.message])
        case .throwing(let error):
            throw error
        }
    }

    static func answer(_ status: Int, _ body: [UInt8]) -> S3Exchange {
        let response = HTTPResponse(status: status, headers: [:], body: body)
        let error = response.isSuccess ? nil : S3XML.error(body)
        return S3Exchange(
            outcome: .answered(response, error: error),
            attempts: ["HTTP \(status)" + (error.map { " \($0.code)" } ?? "")])
    }
}
