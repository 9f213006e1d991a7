import Foundation
public import Logging
import Hummingbird
import NIOCore
import NIOPosix
import NIOFoundationCompat
public import ProxyCore

/// `POST /mcp`: Streamable HTTP in stateless mode, JSON responses only.
///
/// By the time a request gets here, ``OriginMiddleware``, ``BearerAuthMiddleware`` and
/// ``MCPHeadMiddleware`` have accepted its head. Its body is read up to the limit, decoded once
/// into a ``JSONRPCMessage`` and answered by ``ToolServer``. Nothing is shared between requests
/// but the router, so concurrent clients that reuse the same JSON-RPC ids never see each other's
/// responses.
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

    /// Reads the body, decodes it and answers it.
    func respond(to request: Request, context: ProxyRequestContext) async throws -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: settings.maxBodySize)
        } catch is NIOTooManyBytesError {
            // The rest of the body is not read: the connection ends with this answer.
            return MCPHeadMiddleware.tooLarge(settings.maxBodySize)
        }
        let message = JSONRPCMessage(body: Data(buffer: body, byteTransferStrategy: .noCopy))
        let id: JSONValue
        switch message {
        case .invalid(let error):
            return .jsonRPC(.badRequest, error)
        case .notification, .response:
            return Response(status: .accepted)
        case .request(let requestID, _, _):
            id = requestID
        }
        guard let caller = context.caller else {
            preconditionFailure("/mcp is served only behind BearerAuthMiddleware")
        }
        if let refusal = scopeRefusal(message, id: id, caller: caller) { return refusal }
        return await answer(message, id: id, caller: caller, headers: MCPRequestHeaders(request.headers), requestID: context.requestID)
    }

    /// 403 for a `tools/call` whose tool needs a scope (`server.oauth.scopes`) that the
    /// caller's access token lacks; nil for everything else.
    private func scopeRefusal(_ message: JSONRPCMessage, id: JSONValue, caller: Caller) -> Response? {
        guard case .request(_, "tools/call", let params) = message, let token = caller.token, let resource = access().resource,
            case .string(let name)? = params?["name"], let tool = ToolName(rawValue: name), let scope = resource.oauth.scopes[tool],
            !token.scopes.contains(scope)
        else { return nil }
        return .jsonRPC(
            .forbidden, JSONRPCError(.invalidRequest, "Forbidden: \(name) needs an access token with the scope \(scope)", id: id),
            headers: [.wwwAuthenticate: resource.insufficientScopeChallenge(scope)])
    }

    /// Answers `message` within `settings.responseTimeout` (a backstop: tool calls end sooner,
    /// bounded by each tenant's `timeouts.request`). A call still running then is cancelled and
    /// answered at once with a JSON-RPC internal error, without waiting for it to end; the
    /// connection closes after that answer.
    private func answer(_ message: JSONRPCMessage, id: JSONValue, caller: Caller, headers: MCPRequestHeaders, requestID: String) async -> Response {
        let timeout = settings.responseTimeout
        // Whichever comes first: the reply, or nil at the timeout (an event-loop timer, dropped
        // when the reply comes). A call cancelled at its timeout is not waited for.
        let first = FirstAnswer<MCPReply?>()
        let call = Task { first.give(await tools.reply(to: message, caller: caller, requestID: requestID, headers: headers)) }
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(timeout)) { first.give(nil) }
        // The server's own cancellation (a forced shutdown) ends the wait too.
        let reply = await withTaskCancellationHandler {
            await first.value()
        } onCancel: {
            first.give(nil)
        }
        timer.cancel()
        if reply == nil { call.cancel() }
        if reply == nil, Task.isCancelled {
            logger.notice("a call was cancelled as the server stopped", metadata: ["request_id": "\(requestID)"])
            return .jsonRPC(
                .serviceUnavailable, JSONRPCError(.internalError, "Internal error: the server is stopping", id: id),
                headers: [.connection: "close"])
        }
        guard let reply else {
            logger.error("no answer within the response timeout", metadata: ["timeout": "\(timeout)", "request_id": "\(requestID)"])
            return .jsonRPC(
                .internalServerError, JSONRPCError(.internalError, "Internal error: no answer within \(ConfigDuration(timeout))", id: id),
                headers: [.connection: "close"])
        }
        return Response(reply)
    }
}
