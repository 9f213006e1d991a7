import NIOCore
import NIOHTTP1

/// A whole response: status, headers (without `Content-Length`, which the writer adds) and body.
struct OutgoingResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: ByteBuffer

    init(_ status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON body.
    static func json(_ status: HTTPResponseStatus, _ body: ByteBuffer) -> OutgoingResponse {
        OutgoingResponse(status, headers: ["Content-Type": "application/json"], body: body)
    }

    static func json(_ status: HTTPResponseStatus, _ text: String) -> OutgoingResponse {
        json(status, ByteBuffer(string: text))
    }
}
