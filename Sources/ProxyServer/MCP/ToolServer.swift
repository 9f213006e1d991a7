public import Logging
public import MCP
public import ProxyCore

/// Makes MCP servers that serve the proxy's tools to one caller.
///
/// An `MCP.Server` serves exactly one session: stdio makes one for the process, stateless HTTP
/// one per request. Every server shares the ``ToolRouter`` and so the tenants' pools and tokens.
public struct ToolServer: Sendable {
    /// Name and version in the `initialize` result.
    public static let name = "keycloak-mcp-proxy"
    public static let version = "0.1.0"
    static let instructions = """
        Ends Keycloak user sessions across several Keycloak servers (tenants). Call list_tenants to see \
        the tenants and realms you may use; logout_user with dry_run true shows what would happen.
        """

    /// Runs the calls: policy, tenant routing, audit.
    public let router: ToolRouter
    let logger: Logger

    /// Servers whose handlers call `router`; `logger` gets rejected calls at debug level.
    public init(router: ToolRouter, logger: Logger) {
        self.router = router
        self.logger = logger
    }

    /// A server with the tool handlers registered for `caller`, not yet started.
    public func makeServer(for caller: Caller) async -> Server {
        let server = Server(
            name: Self.name,
            version: Self.version,
            title: "Keycloak MCP proxy",
            instructions: Self.instructions,
            capabilities: .init(tools: .init(listChanged: false))
        )
        let router = self.router
        let logger = self.logger
        await server.withMethodHandler(ProxyListTools.self) { _ in
            ListTools.Result(tools: router.tools(for: caller).map(\.mcpTool))
        }
        await server.withMethodHandler(ProxyCallTool.self) { parameters in
            try await Self.call(parameters, caller: caller, router: router, logger: logger)
        }
        return server
    }

    /// Checks the shape of `tools/call` parameters, runs the call, and maps a rejection to its
    /// JSON-RPC error. Nothing but an ``MCPError`` leaves here, so no error text leaks.
    static func call(_ parameters: Value, caller: Caller, router: ToolRouter, logger: Logger) async throws(MCPError) -> CallTool.Result {
        guard case .object(let object) = parameters else {
            throw .invalidParams("tools/call needs params {\"name\": ..., \"arguments\": {...}}")
        }
        guard case .string(let name)? = object["name"] else {
            throw .invalidParams("tools/call needs a tool name as a string in params.name")
        }
        let arguments: [String: JSONValue]
        switch object["arguments"] {
        case nil, .null?:
            arguments = [:]
        case .object(let values)?:
            arguments = values.mapValues { JSONValue($0) }
        default:
            throw .invalidParams("params.arguments must be an object")
        }
        let requestID = RequestID.make()
        do {
            return try await router.call(name, arguments: arguments, caller: caller, requestID: requestID).callToolResult
        } catch {
            logger.debug("tool call rejected", metadata: ["request_id": "\(requestID)", "agent": "\(caller.name)"])
            throw error.mcpError
        }
    }
}
