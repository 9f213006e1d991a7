import Foundation
import NIOFoundationCompat
import HTTPTypes
import Hummingbird
import NIOCore
import ProxyCore

extension Response {
    /// A JSON answer: `body` is UTF-8 JSON.
    static func json(_ status: HTTPResponse.Status, _ body: Data, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(data: body)))
    }

    /// A JSON answer of `value`.
    static func json(_ status: HTTPResponse.Status, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        json(status, JSONCoding.encode(value), headers: headers)
    }

    /// A JSON-RPC error with an HTTP status, for what `/mcp` refuses before any method runs.
    static func jsonRPC(_ status: HTTPResponse.Status, _ error: JSONRPCError, headers: HTTPFields = [:]) -> Response {
        json(status, error.encoded, headers: headers)
    }
}
