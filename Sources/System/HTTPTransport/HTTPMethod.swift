// HTTPMethod: the request methods Lifeboat's S3 layer needs, and nothing else.

public enum HTTPMethod: String, Sendable {
    case get = "GET", put = "PUT", post = "POST", delete = "DELETE", head = "HEAD"
}
