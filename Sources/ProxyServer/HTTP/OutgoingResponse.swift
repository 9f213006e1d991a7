import NIOCore
import NIOHTTP1

/// A whole response: status, content type, further headers and body. `Content-Length` is
/// written with it (``wire(version:keepAlive:isHead:allocator:)``), never kept as a header.
struct OutgoingResponse: Sendable {
    /// The bytes of a body: a buffer, or the UTF-8 an encoder wrote (copied once, into the
    /// response's own buffer, instead of into a buffer of its own first).
    enum Body: Sendable {
        case buffer(ByteBuffer)
        case bytes([UInt8])

        var count: Int {
            switch self {
            case .buffer(let buffer): buffer.readableBytes
            case .bytes(let bytes): bytes.count
            }
        }
    }

    var status: HTTPResponseStatus
    /// `Content-Type`, when there is one.
    var contentType: String?
    /// Headers beyond `Content-Type` and `Content-Length` (`Allow`, `WWW-Authenticate`).
    var headers: HTTPHeaders
    let body: Body

    init(_ status: HTTPResponseStatus, contentType: String? = nil, headers: HTTPHeaders = [:], body: Body = .buffer(ByteBuffer())) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// A JSON body.
    static func json(_ status: HTTPResponseStatus, _ body: ByteBuffer) -> OutgoingResponse {
        OutgoingResponse(status, contentType: jsonType, body: .buffer(body))
    }

    /// A JSON body as an encoder wrote it.
    static func json(_ status: HTTPResponseStatus, _ bytes: [UInt8]) -> OutgoingResponse {
        OutgoingResponse(status, contentType: jsonType, body: .bytes(bytes))
    }

    static func json(_ status: HTTPResponseStatus, _ text: String) -> OutgoingResponse {
        json(status, ByteBuffer(string: text))
    }

    static let jsonType = "application/json"
}
