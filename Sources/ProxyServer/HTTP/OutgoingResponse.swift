import NIOCore
import NIOHTTP1

/// A whole response: status, headers (`Content-Length` added at once) and body.
struct OutgoingResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    let body: ByteBuffer

    init(_ status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        // Room for what the responder and the writer may add, without regrowing.
        self.headers.reserveCapacity(headers.count + 3)
        self.headers.add(name: "Content-Length", value: String(body.readableBytes))
        self.body = body
    }

    /// A JSON body.
    static func json(_ status: HTTPResponseStatus, _ body: ByteBuffer) -> OutgoingResponse {
        OutgoingResponse(status, headers: jsonHeaders, body: body)
    }

    /// Shared, so a JSON answer's headers are copied once, into room for the rest.
    private static let jsonHeaders: HTTPHeaders = ["Content-Type": "application/json"]

    static func json(_ status: HTTPResponseStatus, _ text: String) -> OutgoingResponse {
        json(status, ByteBuffer(string: text))
    }
}
