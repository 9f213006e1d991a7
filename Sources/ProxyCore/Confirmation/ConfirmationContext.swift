/// What the client of one `tools/call` can do about a confirmation (DESIGN.md section 8).
public enum ConfirmationContext: Sendable, Hashable {
    /// It cannot ask a person (a 2025-era client, a 2026 one without the elicitation
    /// capability): a call that needs a yes is refused with `confirmation_required`, saying why.
    case cannotAsk(reason: String)
    /// It can ask (MCP 2026-07-28, elicitation declared): the first call returns the question.
    case canAsk
    /// The retry that carries the person's answer: the `requestState` the proxy gave, and
    /// whether the answer was yes (an accepted form with `confirm: true`).
    case answer(state: String, confirmed: Bool)

    /// What a call that says nothing about confirming gets.
    public static let unknown = ConfirmationContext.cannotAsk(reason: "this client cannot ask a person")
}
