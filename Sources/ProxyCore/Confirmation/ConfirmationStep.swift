import Foundation

/// Where a call that may need a person's yes stands (DESIGN.md section 8).
enum ConfirmationStep: Sendable {
    /// No yes needed (the tool is not in the tenant's or the agent's `confirm`, or a dry run).
    case notNeeded
    /// Ask first: resolve the user, count their sessions, return the question. The digest of
    /// the call's arguments goes into the state.
    case ask(digest: String)
    /// The person said yes to logging out the user of these claims; the state is used up
    /// just before the logout goes out.
    case confirmed(ConfirmationKeeper.Claims)

    /// What the transport said about confirming, with the call's arguments as sent.
    struct Request {
        var context: ConfirmationContext
        var arguments: [String: JSONValue]
    }
}
