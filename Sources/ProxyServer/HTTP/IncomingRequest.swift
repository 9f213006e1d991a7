import NIOCore
import NIOHTTP1
import ProxyCore

/// A request as the proxy's routes see it: read whole, or refused for its size.
struct IncomingRequest: Sendable {
    var method: HTTPMethod
    /// The path without its query.
    var path: Substring
    var headers: RequestHeaders
    /// The body; nil when it is larger than ``HTTPSettings/maxBodySize`` (it was not read).
    var body: ByteBuffer?
    /// The id of the tool call it may carry (``RequestID``), made once: a call tried on the
    /// event loop and run again in a task logs and audits under one id.
    var requestID = RequestID.make()
}
