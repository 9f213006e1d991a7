import ProxyCore

extension ToolServer {
    /// The key of the proxy's one question in `inputRequests` and `inputResponses`.
    static let confirmationKey = "confirm"

    /// What the client of a `tools/call` can do about a confirmation (DESIGN.md section 8): a
    /// 2025-era client cannot ask; a 2026-07-28 client can when its `_meta` declares
    /// elicitation; a retry carries `requestState` and the answer in `inputResponses`.
    static func confirmation(_ params: JSONValue?, era: RequestEra) -> ConfirmationContext {
        guard case .modern(let request) = era else {
            return .cannotAsk(reason: "this client speaks an MCP revision before 2026-07-28, which cannot ask for it")
        }
        if case .string(let state)? = params?["requestState"] {
            // Yes is an accepted form whose confirm is true; anything else (no, decline,
            // cancel, no answer) is not.
            let answer = params?["inputResponses"]?[confirmationKey]
            let confirmed = answer?["action"] == .string("accept") && answer?["content"]?[confirmationKey] == .bool(true)
            return .answer(state: state, confirmed: confirmed)
        }
        guard case .object? = request.clientCapabilities["elicitation"] else {
            return .cannotAsk(reason: "this client did not declare the elicitation capability, so it cannot ask a person")
        }
        return .canAsk
    }
}
