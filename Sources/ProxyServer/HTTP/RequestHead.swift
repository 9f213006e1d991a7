import NIOHTTP1

/// A request's line and header fields, read by ``RequestParser``.
struct RequestHead: Sendable {
    var method: HTTPMethod
    /// The request target as sent: the path and the query.
    var uri: String
    var version: HTTPVersion
    /// The connection may carry another request after this one's answer.
    var keepAlive: Bool
    /// `Content-Length`; nil for a chunked body (and for none).
    var contentLength: Int?
    /// `Expect: 100-continue`: the client waits for a 100 before it sends the body.
    var expectsContinue: Bool
    /// The body is chunked.
    var isChunked: Bool
    var headers: RequestHeaders
}
