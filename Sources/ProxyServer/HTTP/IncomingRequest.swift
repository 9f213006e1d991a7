import NIOCore
import NIOHTTP1

/// A request as the proxy's routes see it: read whole, or refused for its size.
struct IncomingRequest: Sendable {
    var method: HTTPMethod
    /// The path without its query.
    var path: Substring
    var headers: RequestHeaders
    /// The body; nil when it is larger than ``HTTPSettings/maxBodySize`` (it was not read).
    var body: ByteBuffer?
}
