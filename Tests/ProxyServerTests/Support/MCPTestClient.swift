import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ProxyCore
import Testing

/// An HTTP answer, read whole.
struct HTTPReply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: String

    var json: JSON { JSON(text: body) }
}

/// Posts JSON-RPC to the proxy's `/mcp` over real HTTP, as an MCP client in stateless mode would.
struct MCPTestClient: Sendable {
    let base: String
    let http: HTTPClient

    /// `connections`: how many HTTP/1.1 connections at most; more calls at once wait for one.
    init(base: String, connections: Int = 8) {
        self.base = base
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    func shutdown() async throws {
        try await http.shutdown()
    }

    /// The headers an MCP client sends, plus `Authorization` when there is a token.
    static func headers(token: String?) -> [(String, String)] {
        var headers = [("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return headers
    }

    func send(
        _ method: HTTPMethod = .POST, path: String = "/mcp", headers: [(String, String)], body: [UInt8]? = nil
    ) async throws -> HTTPReply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await http.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 4 << 20)
        return HTTPReply(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    func post(_ body: String, token: String?, extraHeaders: [(String, String)] = []) async throws -> HTTPReply {
        try await send(headers: Self.headers(token: token) + extraHeaders, body: Array(body.utf8))
    }

    /// One JSON-RPC request.
    func rpc(_ method: String, _ params: JSONValue? = nil, id: Int = 1, token: String?) async throws -> HTTPReply {
        var message: [String: JSONValue] = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method)]
        message["params"] = params
        return try await post(JSONValue.object(message).jsonText, token: token)
    }

    /// `tools/call`; returns the result object (records an issue when the answer is no result).
    func callTool(_ name: String, _ arguments: JSONValue, token: String?, id: Int = 1) async throws -> JSON {
        let reply = try await rpc("tools/call", ["name": .string(name), "arguments": arguments], id: id, token: token)
        #expect(reply.status == 200, "tools/call \(name): HTTP \(reply.status) \(reply.body)")
        #expect(reply.json["result"].exists, "tools/call \(name): no result in \(reply.body)")
        return reply.json["result"]
    }

    /// `tools/list`: the tool names, in order, and the full list.
    func listTools(token: String?) async throws -> [JSON] {
        let reply = try await rpc("tools/list", token: token)
        #expect(reply.status == 200, "tools/list: HTTP \(reply.status) \(reply.body)")
        return reply.json["result"]["tools"].array
    }
}
