import ProxyCore

extension ToolOutcome {
    /// The `tools/call` result: `structuredContent`, the same as text for clients that read
    /// only `content`, and `isError` for a failure the agent can act on.
    var callToolResult: JSONValue {
        if case .inputRequired(let request) = self { return Self.inputRequired(request) }
        return [
            "content": [["type": "text", "text": .string(text)]],
            "structuredContent": structuredContent,
            "isError": .bool(isError),
        ]
    }

    /// MCP 2026-07-28's `input_required` result: one `elicitation/create` form asking yes or
    /// no, and the state the retry sends back.
    private static func inputRequired(_ request: ConfirmationRequest) -> JSONValue {
        let key = ToolServer.confirmationKey
        let schema: JSONValue = [
            "type": "object",
            "properties": [
                key: [
                    "type": "boolean", "title": "Confirm", "description": .string(request.message), "default": false,
                ]
            ],
            "required": [.string(key)],
        ]
        return [
            "resultType": "input_required",
            "inputRequests": [
                key: [
                    "method": "elicitation/create",
                    "params": ["mode": "form", "message": .string(request.message), "requestedSchema": schema],
                ]
            ],
            "requestState": .string(request.state),
        ]
    }
}
