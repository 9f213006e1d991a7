public import MCP
public import ProxyCore

extension ToolOutcome {
    /// The `tools/call` result: `structuredContent`, the same as text for clients that read
    /// only `content`, and `isError` for a failure the agent can act on.
    public var callToolResult: CallTool.Result {
        CallTool.Result(
            content: [.text(text: text, annotations: nil, _meta: nil)],
            structuredContent: Optional.some(structuredContent.mcpValue),
            isError: isError
        )
    }
}
