/// Who makes a tool call: a configured agent, or an anonymous caller (allowed only over stdio
/// without `--agent`, or on a loopback listener when the config has no agents).
public struct Caller: Sendable, Hashable {
    /// nil for an anonymous caller.
    public var agent: AgentConfig?
    /// The access token the agent signed in with; nil for a static token, stdio or anonymous.
    public var token: TokenIdentity?

    public init(agent: AgentConfig?, token: TokenIdentity? = nil) {
        self.agent = agent
        self.token = token
    }

    public static let anonymous = Caller(agent: nil)

    /// The name audit records and logs use.
    public var name: String { agent?.name ?? "anonymous" }
}
