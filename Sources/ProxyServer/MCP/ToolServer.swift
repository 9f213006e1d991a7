public import Foundation
public import Logging
public import ProxyCore

/// Answers the proxy's MCP methods for one caller, in both eras: `server/discover`,
/// `tools/list` and `tools/call` for MCP 2026-07-28; `initialize`, `ping`, `tools/list` and
/// `tools/call` for the revisions before it; JSON-RPC errors for the rest.
///
/// Both transports answer through ``reply(to:caller:requestID:headers:)``, so an answer is the
/// same over HTTP and stdio. Every call shares the ``ToolRouter`` and so the tenants' pools and
/// tokens.
public struct ToolServer: Sendable {
    /// Name and version in `serverInfo`.
    public static let name = "keycloak-mcp-proxy"
    public static let version = "0.1.0"
    static let title = "Keycloak MCP proxy"
    static let instructions = """
        Ends Keycloak user sessions across several Keycloak servers (tenants). Call list_tenants to see \
        the tenants and realms you may use; logout_user with dry_run true shows what would happen.
        """
    /// How long a client may reuse a `tools/list` result (2026-07-28 `ttlMs`). The list follows
    /// the config, which a reload changes; a call is checked against the config of its time
    /// whatever list the client holds.
    static let toolListLifetimeMilliseconds = 60_000
    /// How long a client may reuse a `server/discover` result.
    static let discoveryLifetimeMilliseconds = 3_600_000

    /// Runs the calls: policy, tenant routing, audit.
    public let router: ToolRouter
    let logger: Logger

    /// Answers whose calls go to `router`; `logger` gets rejected calls at debug level.
    public init(router: ToolRouter, logger: Logger) {
        self.router = router
        self.logger = logger
    }

    /// The answer to `message` from `caller`, whose Streamable HTTP `headers` are checked
    /// against it (nil on stdio). A `tools/call` runs under `requestID`.
    public func reply(to message: JSONRPCMessage, caller: Caller, requestID: String, headers: MCPRequestHeaders? = nil) async -> MCPReply {
        switch message {
        case .notification, .response:
            return .accepted
        case .invalid(let error):
            return MCPReply(status: .badRequest, body: error.encoded)
        case .request(let id, let method, let params):
            let era: RequestEra
            switch RequestEra.of(method: method, params: params, headers: headers) {
            case .success(let found): era = found
            case .failure(var error):
                error.id = id
                return MCPReply(status: .badRequest, body: error.encoded)
            }
            switch (await answer(method, params: params, caller: caller, requestID: requestID, era: era, headers: headers), era) {
            case (.success(let result), .legacy):
                return MCPReply(status: .ok, body: Self.encode(id: id, result: result, modern: false))
            case (.success(let result), .modern):
                return MCPReply(status: .ok, body: Self.encode(id: id, result: result, modern: true))
            case (.failure(var error), .legacy):
                error.id = id
                return MCPReply(status: .ok, body: error.encoded)
            case (.failure(var error), .modern):
                error.id = id
                return .modern(error)
            }
        }
    }

    /// The result of one request in `era`, or the JSON-RPC error that answers it.
    func answer(
        _ method: String, params: JSONValue?, caller: Caller, requestID: String, era: RequestEra, headers: MCPRequestHeaders? = nil
    ) async -> Result<MCPResult, JSONRPCError> {
        switch (method, era) {
        case ("tools/call", _):
            let trace = Self.incomingTrace(params, headers: headers)
            return await call(params, caller: caller, requestID: requestID, confirmation: Self.confirmation(params, era: era), trace: trace)
                .map(MCPResult.toolCall)
        case ("tools/list", .legacy):
            return .success(.value(["tools": toolList(for: caller)]))
        case ("tools/list", .modern):
            return .success(.value([
                "tools": toolList(for: caller),
                "ttlMs": .int(Self.toolListLifetimeMilliseconds),
                // The list shows only what this caller may use.
                "cacheScope": "private",
            ]))
        case ("server/discover", .modern):
            return .success(.value([
                "supportedVersions": .array(ProtocolRevision.all.map(JSONValue.string)),
                "capabilities": Self.capabilities,
                "instructions": .string(Self.instructions),
                "ttlMs": .int(Self.discoveryLifetimeMilliseconds),
                "cacheScope": "public",
            ]))
        case ("initialize", .legacy):
            return Self.initialize(params).map(MCPResult.value)
        case ("ping", .legacy):
            return .success(.value(.object([:])))
        default:
            return .failure(.methodNotFound(method))
        }
    }

    /// The tools `caller` may use, in a fixed order.
    private func toolList(for caller: Caller) -> JSONValue {
        .array(router.tools(for: caller).map(\.listEntry))
    }

    static let capabilities: JSONValue = ["tools": ["listChanged": false]]
    static let serverInfo: JSONValue = ["name": .string(name), "title": .string(title), "version": .string(version)]

    /// A 2026-07-28 result: `resultType` (`complete` unless it says otherwise) and the server's
    /// name and version in `_meta`.
    static func complete(_ result: JSONValue) -> JSONValue {
        guard case .object(var members) = result else { return result }
        if members["resultType"] == nil { members["resultType"] = "complete" }
        var meta: [String: JSONValue] = [:]
        if case .object(let existing)? = members["_meta"] { meta = existing }
        meta[ProtocolRevision.serverInfoKey] = serverInfo
        members["_meta"] = .object(meta)
        return .object(members)
    }

    /// Agrees on the client's protocol version when the proxy speaks it in this era, else
    /// offers the latest one with `initialize`.
    static func initialize(_ params: JSONValue?) -> Result<JSONValue, JSONRPCError> {
        guard case .string(let requested)? = params?["protocolVersion"] else {
            return .failure(.invalidParams("initialize needs params {\"protocolVersion\": ..., \"capabilities\": {...}, \"clientInfo\": {...}}"))
        }
        let version = ProtocolRevision.legacy.contains(requested) ? requested : ProtocolRevision.latestLegacy
        return .success([
            "protocolVersion": .string(version),
            "capabilities": capabilities,
            "serverInfo": serverInfo,
            "instructions": .string(instructions),
        ])
    }

    /// Checks the shape of `tools/call` parameters and runs the call. A rejection becomes its
    /// JSON-RPC error; nothing else can fail here, so no error text leaks.
    func call(
        _ params: JSONValue?, caller: Caller, requestID: String, confirmation: ConfirmationContext = .unknown, trace: IncomingTrace = .none
    ) async -> Result<ToolOutcome, JSONRPCError> {
        let name: String
        let arguments: [String: JSONValue]
        switch Self.callParameters(params) {
        case .success(let parameters): (name, arguments) = parameters
        case .failure(let error): return .failure(error)
        }
        do {
            return .success(try await router.call(name, arguments: arguments, caller: caller, requestID: requestID, confirmation: confirmation, trace: trace))
        } catch {
            return .failure(rejected(error, requestID: requestID, caller: caller))
        }
    }

    /// The tool's name and arguments in `tools/call` parameters, or the error that answers them.
    static func callParameters(_ params: JSONValue?) -> Result<(name: String, arguments: [String: JSONValue]), JSONRPCError> {
        guard case .object(let object)? = params else {
            return .failure(.invalidParams("tools/call needs params {\"name\": ..., \"arguments\": {...}}"))
        }
        guard case .string(let name)? = object["name"] else {
            return .failure(.invalidParams("tools/call needs a tool name as a string in params.name"))
        }
        switch object["arguments"] {
        case nil, .null?:
            return .success((name, [:]))
        case .object(let values)?:
            return .success((name, values))
        default:
            return .failure(.invalidParams("params.arguments must be an object"))
        }
    }

    /// The JSON-RPC error for a rejected call, logged at debug level.
    func rejected(_ error: ToolCallRejection, requestID: String, caller: Caller) -> JSONRPCError {
        logger.debug("tool call rejected", metadata: ["request_id": "\(requestID)", "agent": "\(caller.name)"])
        return error.jsonRPCError
    }

    /// `{"id":...,"jsonrpc":"2.0","result":...}` answering a 2026-07-28 request when `modern`.
    static func encode(id: JSONValue, result: MCPResult, modern: Bool) -> Data {
        let value: JSONValue
        switch result {
        case .toolCall(.inputRequired(let request)): value = ToolOutcome.inputRequiredResult(request)
        case .toolCall(let outcome): return JSONCoding.encode(MCPResultReply(id: id, result: CallToolResult(outcome, modern: modern)))
        case .value(let other): value = other
        }
        return JSONCoding.encode(MCPResultReply(id: id, result: modern ? complete(value) : value))
    }
}
