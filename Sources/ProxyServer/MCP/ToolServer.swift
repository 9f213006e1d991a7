public import Foundation
public import Logging
import MCP
public import ProxyCore

/// Answers the proxy's MCP methods for one caller: `initialize`, `ping`, `tools/list` and
/// `tools/call`, with JSON-RPC errors for the rest.
///
/// Both transports answer through ``reply(to:caller:requestID:)`` or ``respond(to:params:caller:)``, so an
/// answer is the same over HTTP and stdio. Every call shares the ``ToolRouter`` and so the
/// tenants' pools and tokens.
public struct ToolServer: Sendable {
    /// Name and version in the `initialize` result.
    public static let name = "keycloak-mcp-proxy"
    public static let version = "0.1.0"
    static let title = "Keycloak MCP proxy"
    static let instructions = """
        Ends Keycloak user sessions across several Keycloak servers (tenants). Call list_tenants to see \
        the tenants and realms you may use; logout_user with dry_run true shows what would happen.
        """
    /// The protocol versions the proxy speaks, those of the MCP SDK it is built with.
    static let protocolVersions = MCP.Version.supported
    static let latestProtocolVersion = MCP.Version.latest

    /// Runs the calls: policy, tenant routing, audit.
    public let router: ToolRouter
    let logger: Logger

    /// Answers whose calls go to `router`; `logger` gets rejected calls at debug level.
    public init(router: ToolRouter, logger: Logger) {
        self.router = router
        self.logger = logger
    }

    /// The JSON-RPC response to `message` from `caller`, as UTF-8 JSON; nil for a
    /// notification or a response, which get no answer. A `tools/call` runs under `requestID`.
    public func reply(to message: JSONRPCMessage, caller: Caller, requestID: String) async -> Data? {
        switch message {
        case .notification, .response:
            return nil
        case .invalid(let error):
            return error.encoded
        case .request(let id, "tools/call", let params):
            switch await call(params, caller: caller, requestID: requestID) {
            case .success(let outcome):
                return Self.encode(id: id, result: outcome.callToolResult)
            case .failure(var error):
                error.id = id
                return error.encoded
            }
        case .request(let id, let method, let params):
            switch await respond(to: method, params: params, caller: caller) {
            case .success(let result):
                return Self.encode(id: id, result: result)
            case .failure(var error):
                error.id = id
                return error.encoded
            }
        }
    }

    /// The result of one request, or the JSON-RPC error that answers it.
    public func respond(to method: String, params: JSONValue?, caller: Caller) async -> Result<JSONValue, JSONRPCError> {
        if let result = respondWithoutTools(to: method, params: params, caller: caller) { return result }
        return await call(params, caller: caller, requestID: RequestID.make()).map(\.callToolResult)
    }

    /// The result of any request but `tools/call` (nil), none of which waits for anything.
    func respondWithoutTools(to method: String, params: JSONValue?, caller: Caller) -> Result<JSONValue, JSONRPCError>? {
        switch method {
        case "tools/call":
            return nil
        case "tools/list":
            return .success(["tools": .array(router.tools(for: caller).map(\.listEntry))])
        case "initialize":
            return Self.initialize(params)
        case "ping":
            return .success(.object([:]))
        default:
            return .failure(.methodNotFound(method))
        }
    }

    /// Agrees on the client's protocol version when the proxy speaks it, else offers the latest.
    static func initialize(_ params: JSONValue?) -> Result<JSONValue, JSONRPCError> {
        guard case .string(let requested)? = params?["protocolVersion"] else {
            return .failure(.invalidParams("initialize needs params {\"protocolVersion\": ..., \"capabilities\": {...}, \"clientInfo\": {...}}"))
        }
        let version = protocolVersions.contains(requested) ? requested : latestProtocolVersion
        return .success([
            "protocolVersion": .string(version),
            "capabilities": ["tools": ["listChanged": false]],
            "serverInfo": ["name": .string(name), "title": .string(title), "version": .string(Self.version)],
            "instructions": .string(instructions),
        ])
    }

    /// Checks the shape of `tools/call` parameters and runs the call. A rejection becomes its
    /// JSON-RPC error; nothing else can fail here, so no error text leaks.
    func call(_ params: JSONValue?, caller: Caller, requestID: String) async -> Result<ToolOutcome, JSONRPCError> {
        let name: String
        let arguments: [String: JSONValue]
        switch Self.callParameters(params) {
        case .success(let parameters): (name, arguments) = parameters
        case .failure(let error): return .failure(error)
        }
        do {
            return .success(try await router.call(name, arguments: arguments, caller: caller, requestID: requestID))
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

    /// `{"id":...,"jsonrpc":"2.0","result":...}`
    static func encode(id: JSONValue, result: JSONValue) -> Data {
        JSONCoding.encode(JSONValue.object(["id": id, "jsonrpc": "2.0", "result": result]))
    }
}
