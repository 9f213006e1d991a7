import KeycloakEmulator

/// One emulated Keycloak of the demo: its realms, users and the proxy's service account.
struct DemoTenant {
    var name: String
    var basePath: String
    var defaultRealm: String
    var allowedRealms: [String]
    var deniedRealms: [String]
    /// Realm → usernames; each user gets two sessions.
    var users: [(realm: String, usernames: [String])]
    var protectedUsers: [String]
    /// Tools whose calls on this tenant need a person's yes.
    var confirm: [String] = []

    static let proxyClientID = "keycloak-mcp-proxy"

    /// eu and us are current Keycloaks; legacy serves everything under /auth, as Keycloak
    /// before 17 did.
    static let all: [DemoTenant] = [
        DemoTenant(
            name: "eu", basePath: "", defaultRealm: "customers", allowedRealms: ["customers", "partner-*"],
            deniedRealms: ["master"],
            users: [("customers", ["alice", "bob", "break-glass-admin"]), ("partner-acme", ["erin"])],
            protectedUsers: ["break-glass-admin"]),
        DemoTenant(
            name: "us", basePath: "", defaultRealm: "customers", allowedRealms: ["customers"], deniedRealms: [],
            users: [("customers", ["alice", "frank", "break-glass-admin"])],
            protectedUsers: ["break-glass-admin"], confirm: ["logout_user"]),
        DemoTenant(
            name: "legacy", basePath: "/auth", defaultRealm: "employees", allowedRealms: ["employees"], deniedRealms: [],
            users: [("employees", ["carol", "dave"])],
            protectedUsers: []),
    ]

    /// Realms, the proxy's client in master (admin of every realm) and users with sessions.
    func seed(_ emulator: KeycloakEmulator, secret: String) throws {
        for (realm, usernames) in users {
            emulator.addRealm(EmulatedRealm(name: realm))
            try emulator.addClient(.publicClient("account-console"), realm: realm)
            for username in usernames {
                let id = try emulator.addUser(EmulatedUser(username: username, email: "\(username)@example.com"), realm: realm)
                try emulator.addSession(realm: realm, userID: id, clientID: "account-console")
                try emulator.addSession(realm: realm, userID: id, clientID: "account-console")
            }
        }
        try emulator.addClient(.serviceAccount(Self.proxyClientID, secret: secret, roles: [.admin]), realm: "master")
    }
}
