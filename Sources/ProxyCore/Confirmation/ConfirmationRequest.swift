/// The question a call that needs a person's yes asks first: the message they read and the
/// state the client sends back with the answer.
public struct ConfirmationRequest: Sendable, Hashable {
    /// "Log out alice (id …) from 3 sessions on tenant eu, realm customers?"
    public var message: String
    /// Signed: agent, tool, a digest of the arguments, the user, an expiry.
    public var state: String
    /// Shared by the audit records of the first call and of its retry.
    public var id: String
}
