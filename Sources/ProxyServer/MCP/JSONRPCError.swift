import Foundation
public import ProxyCore

/// A JSON-RPC error the proxy answers with: its code, its message, and the id of the request
/// it answers (nil when the request's id could not be read).
public struct JSONRPCError: Error, Sendable, Hashable {
    public enum Code: Int, Sendable {
        case parseError = -32700
        case invalidRequest = -32600
        case methodNotFound = -32601
        case invalidParams = -32602
        case internalError = -32603
    }

    public var code: Code
    public var message: String
    /// `{"detail": ...}` for errors raised while answering a request, as MCP SDKs send them.
    public var detail: String?
    public var id: JSONValue?

    /// An error whose message is `message` as it is.
    public init(_ code: Code, _ message: String, id: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.id = id
    }

    /// `Method not found: <detail>`, and the detail on its own in `data`.
    static func methodNotFound(_ method: String) -> JSONRPCError {
        detailed(.methodNotFound, "Method not found", "Unknown method: \(method)")
    }

    /// `Invalid params: <detail>`, and the detail on its own in `data`.
    static func invalidParams(_ detail: String) -> JSONRPCError {
        detailed(.invalidParams, "Invalid params", detail)
    }

    private static func detailed(_ code: Code, _ title: String, _ detail: String) -> JSONRPCError {
        var error = JSONRPCError(code, "\(title): \(detail)")
        error.detail = detail
        return error
    }

    /// The error object: `{"code":...,"data":{"detail":...},"message":...}`.
    var object: JSONValue {
        var error: [String: JSONValue] = ["code": .int(code.rawValue), "message": .string(message)]
        if let detail { error["data"] = ["detail": .string(detail)] }
        return .object(error)
    }

    /// The response message: `{"error":{...},"id":...,"jsonrpc":"2.0"}`, as UTF-8 JSON.
    var encoded: Data {
        JSONCoding.encode(JSONValue.object(["error": object, "id": id ?? .null, "jsonrpc": "2.0"]))
    }
}
