import ProxyCore

extension ToolOutcome {
    /// MCP 2026-07-28's `input_required` result: one `elicitation/create` form asking yes or
    /// no, and the state the retry sends back.
    static func inputRequiredResult(_ request: ConfirmationRequest) -> JSONValue {
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
