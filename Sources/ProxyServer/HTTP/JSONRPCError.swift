import ProxyCore

/// A JSON-RPC error response the proxy writes itself.
struct JSONRPCError: Sendable {
    enum Code: Int, Sendable {
        case parseError = -32700
        case invalidRequest = -32600
        case methodNotFound = -32601
        case invalidParams = -32602
        case internalError = -32603
    }

    var code: Code
    var message: String
    var id: JSONValue?

    init(_ code: Code, _ message: String, id: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.id = id
    }

    /// `{"jsonrpc":"2.0","id":...,"error":{"code":...,"message":...}}`
    var body: String {
        let error: JSONValue = ["code": .int(code.rawValue), "message": .string(message)]
        return JSONValue.object(["jsonrpc": "2.0", "id": id ?? .null, "error": error]).jsonText
    }
}
