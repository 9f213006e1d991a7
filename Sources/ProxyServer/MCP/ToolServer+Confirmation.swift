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
        // Form-mode elicitation: `elicitation: {}` or one with `form` (`{"url": {}}` alone is URL mode).
        guard case .object(let elicitation)? = request.clientCapabilities["elicitation"], elicitation.isEmpty || elicitation["form"] != nil else {
            return .cannotAsk(reason: "this client did not declare form elicitation, so it cannot ask a person")
        }
        // A retry: yes is an accepted form whose confirm is true; no, a decline or a cancel is
        // not. A retry without an answer is asked again.
        if case .string(let state)? = params?["requestState"], let answer = params?["inputResponses"]?[confirmationKey] {
            let confirmed = answer["action"] == .string("accept") && answer["content"]?[confirmationKey] == .bool(true)
            return .answer(state: state, confirmed: confirmed)
        }
        return .canAsk
    }
}
