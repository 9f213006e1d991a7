import Foundation
public import ProxyCore

/// A JSON-RPC error the proxy answers with: its code, its message, its data, and the id of the
/// request it answers (nil when the request's id could not be read).
public struct JSONRPCError: Error, Sendable, Hashable {
    /// The JSON-RPC codes and those MCP 2026-07-28 adds.
    public enum Code: Int, Sendable {
        case parseError = -32700
        case invalidRequest = -32600
        case methodNotFound = -32601
        case invalidParams = -32602
        case internalError = -32603
        /// A Streamable HTTP header is missing or says something other than the body.
        case headerMismatch = -32020
        /// The request's protocol version is one the proxy does not speak.
        case unsupportedProtocolVersion = -32022
    }

    public var code: Code
    public var message: String
    /// `{"detail": ...}` for errors raised while answering a request, as MCP SDKs send them;
    /// `{"supported": [...], "requested": ...}` for an unsupported version.
    public var data: JSONValue?
    public var id: JSONValue?

    /// An error whose message is `message` as it is.
    public init(_ code: Code, _ message: String, data: JSONValue? = nil, id: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
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

    /// `Header mismatch: <detail>` (-32020).
    static func headerMismatch(_ detail: String) -> JSONRPCError {
        JSONRPCError(.headerMismatch, "Header mismatch: \(detail)")
    }

    /// `Unsupported protocol version` (-32022), naming the versions the proxy speaks.
    static func unsupportedProtocolVersion(_ requested: String) -> JSONRPCError {
        JSONRPCError(
            .unsupportedProtocolVersion, "Unsupported protocol version: \(requested)",
            data: ["supported": .array(ProtocolRevision.all.map(JSONValue.string)), "requested": .string(requested)])
    }

    private static func detailed(_ code: Code, _ title: String, _ detail: String) -> JSONRPCError {
        JSONRPCError(code, "\(title): \(detail)", data: ["detail": .string(detail)])
    }

    /// The error object: `{"code":...,"data":...,"message":...}`.
    var object: JSONValue {
        var error: [String: JSONValue] = ["code": .int(code.rawValue), "message": .string(message)]
        error["data"] = data
        return .object(error)
    }

    /// The response message: `{"error":{...},"id":...,"jsonrpc":"2.0"}`, as UTF-8 JSON.
    var encoded: Data {
        JSONCoding.encode(JSONValue.object(["error": object, "id": id ?? .null, "jsonrpc": "2.0"]))
    }
}
