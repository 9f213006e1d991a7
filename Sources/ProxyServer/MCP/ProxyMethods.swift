import MCP

// `tools/list` and `tools/call` with parameters taken as any JSON value, so malformed ones get
// a JSON-RPC invalid params error from the proxy instead of a decoding error's description
// from the SDK.

/// `tools/list`; the parameters (only a cursor, which the proxy never hands out) are ignored.
enum ProxyListTools: MCP.Method {
    static let name = ListTools.name
    typealias Parameters = Value
    typealias Result = ListTools.Result
}

/// `tools/call` with parameters checked by ``ToolServer``.
enum ProxyCallTool: MCP.Method {
    static let name = CallTool.name
    typealias Parameters = Value
    typealias Result = CallTool.Result
}
