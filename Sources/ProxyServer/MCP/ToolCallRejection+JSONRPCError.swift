import ProxyCore

extension ToolCallRejection {
    /// MCP answers an unknown tool with invalid params (-32602), as it does arguments of the
    /// wrong name or type.
    var jsonRPCError: JSONRPCError {
        switch kind {
        case .unknownTool, .invalidParams: .invalidParams(message)
        }
    }
}
