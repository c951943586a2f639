// Request execution: the store hands each request to its executor chain (signing, retries, logging: see
// S3RequestExecutor) and turns the outcome into the response or one S3Error that lists every attempt.
import Foundation
import HTTPTransport
import S3Protocol

extension S3Store {
    func perform(_ request: S3Request) throws -> HTTPResponse {
        let exchange = try executor.execute(request)
        switch exchange.outcome {
        case .answered(let response, _) where response.isSuccess:
            return response
        case .answered(let response, let body):
            throw failure(request, status: response.status, body: body, attempts: exchange.attempts)
        case .failed(let error):
            throw S3Error.transport(
                operation: request.operation, message: error.message, hint: error.hint,
                attempts: exchange.attempts)
        }
    }

    func failure(_ request: S3Request, status: Int, body: S3ErrorBody?, attempts: [String]) -> S3Error {
        let advice = S3ErrorAdvice.describe(status: status, error: body, bucket: configuration.bucket, key: request.key)
        return .request(
            operation: request.operation, status: status, code: body?.code, message: advice.message,
            hint: advice.hint, attempts: attempts)
    }
}
