import MCP

// The methods the proxy answers, registered with an MCP SDK server (stdio) with parameters and
// results taken as any JSON value: ``ToolServer`` checks and answers them, as it does over HTTP.

enum ProxyInitialize: MCP.Method {
    static let name = Initialize.name
    typealias Parameters = Value
    typealias Result = Value
}

enum ProxyPing: MCP.Method {
    static let name = Ping.name
    typealias Parameters = Value
    typealias Result = Value
}

enum ProxyListTools: MCP.Method {
    static let name = ListTools.name
    typealias Parameters = Value
    typealias Result = Value
}

enum ProxyCallTool: MCP.Method {
    static let name = CallTool.name
    typealias Parameters = Value
    typealias Result = Value
}
