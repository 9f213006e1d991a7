public import MCP
public import ProxyCore

extension ToolCallRejection {
    /// The JSON-RPC error for protocol misuse. MCP answers an unknown tool with invalid params
    /// (-32602), as it does arguments of the wrong name or type.
    public var mcpError: MCPError {
        switch kind {
        case .unknownTool: .invalidParams(message)
        case .invalidParams: .invalidParams(message)
        }
    }
}
