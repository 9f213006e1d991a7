import KeycloakEmulator
import ProxyCore

/// `demo --oauth`: the agent that signs in with an access token, and its issuer (a realm of
/// tenant eu's emulator, as an ops team would give agents a realm of their own Keycloak).
struct DemoAgents {
    static let realm = "agents"
    static let clientID = "incident-bot"
    /// One scope per tool, as `server.oauth.scopes` has them.
    static let scopes: [(tool: ToolName, scope: String)] = [
        (.logoutUser, "keycloak-mcp:logout"), (.getUserSessions, "keycloak-mcp:read"), (.listTenants, "keycloak-mcp:read"),
    ]

    /// The endpoint's URL, which tokens name in `aud`.
    let publicURL: String
    let clientSecret: String
    private let emulator: KeycloakEmulator

    /// The realm's issuer URL; once the emulator listens.
    var issuer: String { emulator.issuer(realm: Self.realm) }
    var tokenEndpoint: String { issuer + "/protocol/openid-connect/token" }

    /// Adds the realm and the agent's client (service account, the scopes, an audience mapper
    /// naming `publicURL`) to `emulator`.
    init(publicURL: String, seeding emulator: KeycloakEmulator) throws {
        self.publicURL = publicURL
        clientSecret = RandomHex.make(byteCount: 16)
        emulator.addRealm(EmulatedRealm(name: Self.realm))
        try emulator.addClient(
            .agent(Self.clientID, secret: clientSecret, defaultScopes: Array(Set(Self.scopes.map(\.scope))).sorted(), audience: [publicURL]),
            realm: Self.realm)
        self.emulator = emulator
    }
}
