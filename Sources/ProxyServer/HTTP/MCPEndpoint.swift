import Foundation
import HTTPTypes
import Hummingbird
public import Logging
import MCP
import NIOCore
import ProxyCore

/// `/mcp`: Streamable HTTP in stateless mode. Each POST is checked (origin, bearer token,
/// size, JSON-RPC shape), then answered by a fresh MCP server and transport of its own, so
/// concurrent clients that reuse the same JSON-RPC ids never see each other's responses.
public struct MCPEndpoint: Sendable {
    let tools: ToolServer
    /// Who may call and from which origins, as the config being served says now.
    let access: @Sendable () -> (authenticator: BearerAuthenticator, origins: OriginPolicy)
    let settings: HTTPSettings
    let logger: Logger

    /// `/mcp` for `tools`, refusing what `access()` (asked per request) and `settings` refuse.
    public init(
        tools: ToolServer, access: @escaping @Sendable () -> (authenticator: BearerAuthenticator, origins: OriginPolicy),
        settings: HTTPSettings, logger: Logger
    ) {
        self.tools = tools
        self.access = access
        self.settings = settings
        self.logger = logger
    }

    /// `/mcp` with fixed rules.
    public init(tools: ToolServer, authenticator: BearerAuthenticator, origins: OriginPolicy, settings: HTTPSettings, logger: Logger) {
        self.init(tools: tools, access: { (authenticator, origins) }, settings: settings, logger: logger)
    }

    /// The SDK's checks that still apply once the proxy has done origin and auth itself.
    private static let validation = StandardValidationPipeline(validators: [
        AcceptHeaderValidator(mode: .jsonOnly),
        ContentTypeValidator(),
        ProtocolVersionValidator(),
    ])

    func respond(to request: Hummingbird.Request) async -> Hummingbird.Response {
        let (authenticator, origins) = access()
        guard origins.allows(request.headers[.origin]) else {
            return Self.error(.forbidden, JSONRPCError(.invalidRequest, "Forbidden: Origin not allowed"))
        }
        guard let caller = authenticator.caller(authorization: request.headers[.authorization]) else {
            var response = Self.error(.unauthorized, JSONRPCError(.invalidRequest, "Unauthorized: send Authorization: Bearer <token>"))
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        guard request.method == .post else {
            var response = Self.error(.methodNotAllowed, JSONRPCError(.invalidRequest, "Method Not Allowed: this server is stateless; POST JSON-RPC messages"))
            response.headers[.allow] = "POST"
            return response
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > settings.maxBodySize {
            return tooLarge
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: settings.maxBodySize)
        } catch {
            return tooLarge
        }
        let bytes = Array(buffer: body)
        switch JSONRPCEnvelope(body: bytes) {
        case .invalid(let error):
            return Self.error(.badRequest, error)
        case .notification, .request:
            return await answer(request, body: bytes, caller: caller)
        }
    }

    private var tooLarge: Hummingbird.Response {
        Self.error(.contentTooLarge, JSONRPCError(.invalidRequest, "Content Too Large: at most \(settings.maxBodySize) bytes"))
    }

    /// One message through a fresh server and stateless transport.
    private func answer(_ request: Hummingbird.Request, body: [UInt8], caller: Caller) async -> Hummingbird.Response {
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        let message = MCP.HTTPRequest(method: "POST", headers: headers, body: Data(body), path: request.uri.path)
        let server = await tools.makeServer(for: caller)
        let transport = StatelessHTTPServerTransport(validationPipeline: Self.validation, logger: logger)
        do {
            try await server.start(transport: transport)
        } catch {
            logger.error("MCP server did not start", metadata: ["error.type": "\(type(of: error))"])
            await server.stop()
            return Self.error(.internalServerError, JSONRPCError(.internalError, "internal error"))
        }
        let timeout = settings.responseTimeout
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            await server.stop()
        }
        let answer = await transport.handleRequest(message)
        watchdog.cancel()
        await server.stop()
        return Self.response(answer)
    }

    private static func response(_ answer: MCP.HTTPResponse) -> Hummingbird.Response {
        if case .stream = answer {
            return error(.internalServerError, JSONRPCError(.internalError, "internal error"))
        }
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let name = HTTPField.Name(name) { fields[name] = value }
        }
        let data = answer.bodyData ?? Data()
        return Hummingbird.Response(
            status: .init(code: answer.statusCode),
            headers: fields,
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    static func error(_ status: HTTPTypes.HTTPResponse.Status, _ error: JSONRPCError) -> Hummingbird.Response {
        json(status, error.body)
    }

    static func json(_ status: HTTPTypes.HTTPResponse.Status, _ text: String) -> Hummingbird.Response {
        Hummingbird.Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }
}
