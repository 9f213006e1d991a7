public import Logging
import HTTPWire
import NIOCore
import NIOHTTP1
import ProxyCore

/// `/mcp`: Streamable HTTP in stateless mode, JSON responses only.
///
/// Each POST is checked (origin, bearer token, size, media types, protocol version), its body
/// parsed once into a ``JSONRPCMessage``, and answered by ``ToolServer``. Nothing is shared
/// between requests but the router, so concurrent clients that reuse the same JSON-RPC ids
/// never see each other's responses.
public struct MCPEndpoint: Sendable {
    let tools: ToolServer
    /// Who may call and from which origins, as the config being served says now.
    let access: @Sendable () -> AccessRules
    let settings: HTTPSettings
    let logger: Logger

    /// `/mcp` for `tools`, refusing what `access()` (asked per request) and `settings` refuse.
    public init(tools: ToolServer, access: @escaping @Sendable () -> AccessRules, settings: HTTPSettings, logger: Logger) {
        self.tools = tools
        self.access = access
        self.settings = settings
        self.logger = logger
    }

    /// `/mcp` with fixed rules.
    public init(tools: ToolServer, authenticator: BearerAuthenticator, origins: OriginPolicy, settings: HTTPSettings, logger: Logger) {
        let rules = AccessRules(authenticator: authenticator, origins: origins)
        self.init(tools: tools, access: { rules }, settings: settings, logger: logger)
    }

    /// What `/mcp` makes of a request before anything can wait: the answer, or a JSON-RPC
    /// request to reply to.
    enum Checked {
        case answer(OutgoingResponse)
        case request(JSONRPCMessage, id: JSONValue, caller: Caller)
    }

    func respond(to request: IncomingRequest) async -> OutgoingResponse {
        switch check(request) {
        case .answer(let response): return response
        case .request(let message, let id, let caller): return await answer(message, id: id, caller: caller, requestID: request.requestID)
        }
    }

    /// ``respond(to:)`` without a task where it can (``ToolServer/replyNow(to:caller:requestID:within:completion:)``);
    /// `completion` runs on this event loop with the answer to a request that was
    /// ``Immediate/started``, or with nil: answer it with ``respond(to:)`` after all.
    func respondNow(to request: IncomingRequest, completion: @escaping (OutgoingResponse?) -> Void) -> Immediate<OutgoingResponse> {
        switch check(request) {
        case .answer(let response):
            return .answered(response)
        case .request(let message, _, let caller):
            // A call that may outlast the response timeout goes to a task, which it cancels.
            let reply = tools.replyNow(to: message, caller: caller, requestID: request.requestID, within: settings.responseTimeout) { reply in
                completion(reply.map { .json(.ok, $0) })
            }
            switch reply {
            case .answered(let body?): return .answered(.json(.ok, body))
            // Only a notification or a response has no reply, and `check` accepted those.
            case .answered(nil): return .answered(OutgoingResponse(.accepted))
            case .started: return .started
            case .needsTask: return .needsTask
            }
        }
    }

    /// Everything up to the reply: origin, bearer token, method, media types, size, the body as
    /// JSON-RPC, and the protocol version.
    func check(_ request: IncomingRequest) -> Checked {
        let rules = access()
        guard rules.origins.allows(request.headers.first(name: "origin")) else {
            return .answer(Self.error(.forbidden, JSONRPCError(.invalidRequest, "Forbidden: Origin not allowed")))
        }
        guard let caller = rules.authenticator.caller(authorization: request.headers.first(name: "authorization")) else {
            var response = Self.error(.unauthorized, JSONRPCError(.invalidRequest, "Unauthorized: send Authorization: Bearer <token>"))
            response.headers.add(name: "WWW-Authenticate", value: "Bearer")
            return .answer(response)
        }
        guard request.method == .POST else {
            var response = Self.error(.methodNotAllowed, JSONRPCError(.invalidRequest, "Method Not Allowed: this server is stateless; POST JSON-RPC messages"))
            response.headers.add(name: "Allow", value: "POST")
            return .answer(response)
        }
        if let refusal = Self.checkMediaTypes(request.headers) {
            return .answer(refusal)
        }
        guard let body = request.body else {
            return .answer(tooLarge)
        }
        let message = body.withUnsafeReadableBytes { JSONRPCMessage(body: $0) }
        switch message {
        case .invalid(let error):
            return .answer(Self.error(.badRequest, error))
        case .notification, .response:
            return .answer(OutgoingResponse(.accepted))
        case .request(let id, _, _):
            if !message.isInitialize, let refusal = Self.checkProtocolVersion(request.headers, id: id) {
                return .answer(refusal)
            }
            return .request(message, id: id, caller: caller)
        }
    }

    /// Answers `message`. The listener cancels the task once `settings.responseTimeout` has passed
    /// (a backstop: tool calls end sooner, bounded by each tenant's `timeouts.request`); a call
    /// cancelled so is answered with a JSON-RPC internal error.
    private func answer(_ message: JSONRPCMessage, id: JSONValue, caller: Caller, requestID: String) async -> OutgoingResponse {
        let reply = await tools.reply(to: message, caller: caller, requestID: requestID)
        guard let reply, !Task.isCancelled else {
            let timeout = settings.responseTimeout
            logger.error("no answer within the response timeout", metadata: ["timeout": "\(timeout)"])
            return Self.error(.internalServerError, JSONRPCError(.internalError, "Internal error: no answer within \(timeout)", id: id))
        }
        return .json(.ok, reply)
    }

    private var tooLarge: OutgoingResponse {
        Self.error(.payloadTooLarge, JSONRPCError(.invalidRequest, "Content Too Large: at most \(settings.maxBodySize) bytes"))
    }

    /// A POST must send JSON and accept a JSON answer (`application/json`, `application/*`,
    /// `*/*`, or no `Accept` at all).
    static func checkMediaTypes(_ headers: RequestHeaders) -> OutgoingResponse? {
        guard headers.withFirst(named: "content-type", { isMediaType($0, "application/json") }) == true else {
            return error(.unsupportedMediaType, JSONRPCError(.invalidRequest, "Unsupported Media Type: Content-Type must be application/json"))
        }
        let acceptsJSON = headers.anyValue(named: "accept") { accept in
            var found = false
            HTTPSyntax.forEachItem(accept) { range in
                found = found || isMediaType(range, "application/json") || isMediaType(range, "application/*") || isMediaType(range, "*/*")
            }
            return found
        }
        guard acceptsJSON != false else {
            return error(.notAcceptable, JSONRPCError(.invalidRequest, "Not Acceptable: Client must accept application/json"))
        }
        return nil
    }

    /// Whether a media range (`type/subtype` with optional parameters and spaces) is `expected`,
    /// ignoring case; without allocating, as every request asks.
    private static func isMediaType(_ range: UnsafeRawBufferPointer, _ expected: StaticString) -> Bool {
        let type = range.firstIndex(of: UInt8(ascii: ";")).map { UnsafeRawBufferPointer(rebasing: range[..<$0]) } ?? range
        return HTTPSyntax.matches(HTTPSyntax.trimmed(type), expected)
    }

    /// `MCP-Protocol-Version`, when sent (it is not on `initialize`), must be one the proxy speaks.
    static func checkProtocolVersion(_ headers: RequestHeaders, id: JSONValue) -> OutgoingResponse? {
        guard let version = headers.first(name: "mcp-protocol-version"), !ToolServer.protocolVersions.contains(version) else {
            return nil
        }
        let supported = ToolServer.protocolVersions.sorted().joined(separator: ", ")
        return error(.badRequest, JSONRPCError(.invalidRequest, "Bad Request: Unsupported protocol version: \(version). Supported: \(supported)", id: id))
    }

    static func error(_ status: HTTPResponseStatus, _ error: JSONRPCError) -> OutgoingResponse {
        .json(status, error.encoded)
    }
}
