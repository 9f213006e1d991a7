import Crypto
import ProxyCore

/// An agent of the test configs, with its bearer token.
struct TestAgent: Sendable {
    var name: String
    var token: String
    var tools: Set<ToolName>
    var tenants: [String: [RealmPattern]?]?
    /// Tools whose calls by this agent need a person's yes (`agents.NAME.confirm`).
    var confirm: Set<ToolName> = []

    var config: AgentConfig {
        var config = AgentConfig(name: name, tokenSHA256: Array(SHA256.hash(data: Array(token.utf8))), tools: tools, tenants: tenants)
        config.confirm = confirm
        return config
    }

    /// Every tool on every tenant.
    static let incidentBot = TestAgent(
        name: "incident-bot", token: "incident-bot-token-0123456789", tools: Set(ToolName.allCases), tenants: nil)
    /// Reads sessions on eu only; may not log anyone out.
    static let euHelpdesk = TestAgent(
        name: "eu-helpdesk", token: "eu-helpdesk-token-0123456789", tools: [.getUserSessions, .listTenants], tenants: ["eu": nil])
    /// Logs out on us only, in realm customers.
    static let usResponder = TestAgent(
        name: "us-responder", token: "us-responder-token-0123456789", tools: [.logoutUser, .listTenants],
        tenants: ["us": [RealmPattern("customers")]])

    static let all = [incidentBot, euHelpdesk, usResponder]
}
