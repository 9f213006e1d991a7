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

extension HTTPReply {
    /// The body as a ``JSONValue`` (integers, booleans and doubles kept apart), for checking it
    /// against a schema.
    func jsonValue() throws -> JSONValue {
        try JSONCoding.decode(JSONValue.self, from: Data(body.utf8))
    }
}

/// MCP 2026-07-28 ("modern") requests: the version and the client's capabilities in
/// `params._meta`, and the headers Streamable HTTP mirrors from the body.
extension MCPTestClient {
    static let modernVersion = "2026-07-28"
    static let versionKey = "io.modelcontextprotocol/protocolVersion"
    static let capabilitiesKey = "io.modelcontextprotocol/clientCapabilities"
    static let serverInfoKey = "io.modelcontextprotocol/serverInfo"

    /// The tool arguments a client mirrors into `Mcp-Param-{Name}` headers, by tool: what
    /// `tools/list` declares with `x-mcp-header` (ModernProtocolTests checks the declaration).
    static let mirroredArguments: [String: [String: String]] = ["logout_user": ["tenant": "Tenant"]]

    /// `params._meta` of a modern request; a nil `version` or `capabilities` leaves that key out.
    static func modernMeta(version: String? = modernVersion, capabilities: JSONValue? = [:]) -> JSONValue {
        var meta: [String: JSONValue] = ["io.modelcontextprotocol/clientInfo": ["name": "modern-test", "version": "1"]]
        meta[versionKey] = version.map(JSONValue.string)
        meta[capabilitiesKey] = capabilities
        return .object(meta)
    }

    /// The JSON-RPC text of a modern request: `params` with `meta` as `_meta`.
    static func modernBody(_ method: String, _ params: [String: JSONValue] = [:], id: Int = 1, meta: JSONValue = modernMeta()) -> String {
        var params = params
        params["_meta"] = meta
        return JSONValue.object(["jsonrpc": "2.0", "id": .int(id), "method": .string(method), "params": .object(params)]).jsonText
    }

    /// The headers a modern client sends with `method` and `params` at `version`, besides the
    /// media types and the token: `MCP-Protocol-Version`, `Mcp-Method`, and for `tools/call`
    /// `Mcp-Name` and an `Mcp-Param-{Name}` for each mirrored argument that is a string.
    static func modernHeaders(_ method: String, _ params: [String: JSONValue] = [:], version: String = modernVersion) -> [(String, String)] {
        var headers = [("MCP-Protocol-Version", version), ("Mcp-Method", method)]
        if method == "tools/call", case .string(let tool)? = params["name"] {
            headers.append(("Mcp-Name", tool))
            for (argument, header) in (mirroredArguments[tool] ?? [:]).sorted(by: { $0.key < $1.key }) {
                if case .string(let value)? = params["arguments"]?[argument] { headers.append(("Mcp-Param-\(header)", value)) }
            }
        }
        return headers
    }

    /// Posts a modern request with `meta` and, unless `headers` replaces them, the headers that
    /// go with it (at the version `meta` names, else 2026-07-28).
    func modern(
        _ method: String, _ params: [String: JSONValue] = [:], id: Int = 1, meta: JSONValue = modernMeta(),
        headers: [(String, String)]? = nil, token: String?
    ) async throws -> HTTPReply {
        let version = meta[Self.versionKey]?.stringValue ?? Self.modernVersion
        let headers = headers ?? Self.modernHeaders(method, params, version: version)
        return try await send(headers: Self.headers(token: token) + headers, body: Array(Self.modernBody(method, params, id: id, meta: meta).utf8))
    }

    /// A modern `tools/call` with `params` (name, arguments, and whatever else a retry carries);
    /// returns the result object (records an issue when the answer is no result for `id`).
    func modernCallTool(
        _ params: [String: JSONValue], id: Int = 1, meta: JSONValue = modernMeta(), token: String?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> JSON {
        let reply = try await modern("tools/call", params, id: id, meta: meta, token: token)
        #expect(reply.status == 200, "tools/call \(params["name"]?.jsonText ?? "?"): HTTP \(reply.status) \(reply.body)", sourceLocation: sourceLocation)
        #expect(reply.json["id"].int == id, "tools/call: \(reply.body)", sourceLocation: sourceLocation)
        #expect(reply.json["result"].exists, "tools/call: no result in \(reply.body)", sourceLocation: sourceLocation)
        return reply.json["result"]
    }
}

extension Array where Element == (String, String) {
    /// These headers with every `name` (in any case) removed, then `values` of it added: none
    /// removes the header, two send it twice.
    func setting(_ name: String, _ values: String...) -> [(String, String)] {
        filter { $0.0.lowercased() != name.lowercased() } + values.map { (name, $0) }
    }
}
