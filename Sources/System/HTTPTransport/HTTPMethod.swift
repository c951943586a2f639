// HTTPMethod: the request methods Lifeboat's S3 layer needs, and nothing else.

public enum HTTPMethod: String, Sendable {
    case get = "GET"
    case put = "PUT"
    case post = "POST"
    case delete = "DELETE"
    case head = "HEAD"
}
