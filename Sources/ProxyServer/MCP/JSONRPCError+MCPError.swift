import MCP

extension JSONRPCError {
    /// The same error as the SDK's, for answers the SDK writes.
    var mcpError: MCPError {
        switch code {
        case .parseError: .parseError(detail ?? message)
        case .invalidRequest: .invalidRequest(detail ?? message)
        case .methodNotFound: .methodNotFound(detail ?? message)
        case .invalidParams: .invalidParams(detail ?? message)
        case .internalError: .internalError(detail ?? message)
        }
    }
}
