import MCP
import ProxyCore

extension ToolServer {
    /// An MCP SDK server for one session of `caller` (stdio), not yet started, whose methods
    /// ``respond(to:params:caller:)`` answers.
    func makeServer(for caller: Caller) async -> MCP.Server {
        let server = Server(
            name: Self.name,
            version: Self.version,
            title: Self.title,
            instructions: Self.instructions,
            capabilities: .init(tools: .init(listChanged: false))
        )
        await register(ProxyInitialize.self, on: server, caller: caller)
        await register(ProxyPing.self, on: server, caller: caller)
        await register(ProxyListTools.self, on: server, caller: caller)
        await register(ProxyCallTool.self, on: server, caller: caller)
        return server
    }

    private func register<M: MCP.Method>(_ method: M.Type, on server: MCP.Server, caller: Caller) async
    where M.Parameters == Value, M.Result == Value {
        await server.withMethodHandler(method) { params throws(MCPError) in
            switch await respond(to: M.name, params: params.isNull ? nil : JSONValue(params), caller: caller) {
            case .success(let result): return result.mcpValue
            case .failure(let error): throw error.mcpError
            }
        }
    }
}
