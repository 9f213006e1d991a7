import ProxyCore

extension ToolOutcome {
    /// The `tools/call` result: `structuredContent`, the same as text for clients that read
    /// only `content`, and `isError` for a failure the agent can act on.
    var callToolResult: JSONValue {
        let structured = structuredContent
        return [
            "content": [["type": "text", "text": .string(structured.jsonText)]],
            "structuredContent": structured,
            "isError": .bool(isError),
        ]
    }
}
