import ProxyCore

extension ToolOutcome {
    /// The `tools/call` result: `structuredContent`, the same as text for clients that read
    /// only `content`, and `isError` for a failure the agent can act on.
    var callToolResult: JSONValue {
        [
            "content": [["type": "text", "text": .string(text)]],
            "structuredContent": structuredContent,
            "isError": .bool(isError),
        ]
    }
}
