import ProxyCore

/// What answers a request: a tool call's outcome, or any other method's result as a JSON value.
enum MCPResult {
    case toolCall(ToolOutcome)
    case value(JSONValue)
}

/// `{"id":...,"jsonrpc":"2.0","result":...}`
struct MCPResultReply<Result: Encodable>: Encodable {
    let id: JSONValue
    let jsonrpc = "2.0"
    let result: Result
}
