import HTTPTypes
import Hummingbird

/// What `/mcp` checks on the request head, before any body byte is read: the method (POST
/// only: the server is stateless), the media types, a declared length over the limit, and the
/// protocol version header.
struct MCPHeadMiddleware: RouterMiddleware {
    typealias Context = ProxyRequestContext
    let maxBodySize: Int

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post else {
            return .jsonRPC(
                .methodNotAllowed, JSONRPCError(.invalidRequest, "Method Not Allowed: this server is stateless; POST JSON-RPC messages"),
                headers: [.allow: "POST"])
        }
        if let refusal = Self.checkMediaTypes(request.headers) { return refusal }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodySize {
            return Self.tooLarge(maxBodySize)
        }
        if let version = request.headers[.mcpProtocolVersion], !ToolServer.protocolVersions.contains(version) {
            let supported = ToolServer.protocolVersions.sorted().joined(separator: ", ")
            return .jsonRPC(.badRequest, JSONRPCError(.invalidRequest, "Bad Request: Unsupported protocol version: \(version). Supported: \(supported)"))
        }
        return try await next(request, context)
    }

    static func tooLarge(_ maxBodySize: Int) -> Response {
        .jsonRPC(.contentTooLarge, JSONRPCError(.invalidRequest, "Content Too Large: at most \(maxBodySize) bytes"))
    }

    /// A POST must send JSON and accept a JSON answer (`application/json`, `application/*`,
    /// `*/*`, or no `Accept` at all).
    static func checkMediaTypes(_ headers: HTTPFields) -> Response? {
        guard let type = headers[.contentType], MediaType(from: type)?.isType(.applicationJson) == true else {
            return .jsonRPC(.unsupportedMediaType, JSONRPCError(.invalidRequest, "Unsupported Media Type: Content-Type must be application/json"))
        }
        let accepts = headers[values: .accept].flatMap { $0.split(separator: ",") }.compactMap { MediaType(from: String($0)) }
            .map { MediaType(type: $0.type, subType: $0.subType) }  // q and other parameters do not matter
        let json = MediaType(type: .application, subType: "json")
        guard accepts.isEmpty || accepts.contains(where: { json.isType($0) }) else {
            return .jsonRPC(.notAcceptable, JSONRPCError(.invalidRequest, "Not Acceptable: Client must accept application/json"))
        }
        return nil
    }
}

extension HTTPField.Name {
    static let mcpProtocolVersion = Self("MCP-Protocol-Version")!
}
