import Foundation
import MCP
import ProxyCore

/// The shape of a POST body, checked before the MCP SDK sees it, so malformed input gets a
/// JSON-RPC error (parse error or invalid request) and never a hang or a crash.
enum JSONRPCEnvelope {
    /// A request the SDK will answer, keyed by its id.
    case request(id: JSONValue, method: String)
    /// A notification or a response from the client: accepted, nothing to answer.
    case notification
    /// A JSON-RPC error to answer with at once.
    case invalid(JSONRPCError)

    init(body: [UInt8]) {
        guard !body.isEmpty else {
            self = .invalid(JSONRPCError(.parseError, "empty request body"))
            return
        }
        let value: Value
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(body))
        } catch {
            self = .invalid(JSONRPCError(.parseError, "the body is not JSON"))
            return
        }
        guard case .object(let object) = value else {
            let message = value.arrayValue == nil ? "expected a JSON-RPC object" : "JSON-RPC batches are not supported; send one message per request"
            self = .invalid(JSONRPCError(.invalidRequest, message))
            return
        }
        let id: JSONValue?
        switch object["id"] {
        case nil: id = nil
        case .string(let text)?: id = .string(text)
        case .int(let number)?: id = .int(number)
        default:
            self = .invalid(JSONRPCError(.invalidRequest, "id must be a string or an integer"))
            return
        }
        guard object["jsonrpc"] == .string("2.0") else {
            self = .invalid(JSONRPCError(.invalidRequest, "jsonrpc must be \"2.0\"", id: id))
            return
        }
        if case .string(let method)? = object["method"] {
            if let params = object["params"], params.objectValue == nil, params.arrayValue == nil, !params.isNull {
                self = .invalid(JSONRPCError(.invalidRequest, "params must be an object", id: id))
                return
            }
            self = id.map { .request(id: $0, method: method) } ?? .notification
        } else if object["method"] != nil {
            self = .invalid(JSONRPCError(.invalidRequest, "method must be a string", id: id))
        } else if id != nil && (object["result"] != nil || object["error"] != nil) {
            self = .notification
        } else {
            self = .invalid(JSONRPCError(.invalidRequest, "expected a request, notification or response", id: id))
        }
    }
}
