import Foundation

/// An agent's client in one line, the seed format of `keycloak-emulator --agent-client` (and of
/// anything else that seeds agents from text, such as a demo):
///
/// ```
/// REALM:CLIENT_ID:SECRET[;scope=SCOPE SCOPE…][;audience=URL,URL…][;realm-roles=ROLE,…][;client-roles=CLIENT/ROLE,…]
/// ```
///
/// - `scope`: the client's default scopes, space-separated, in `scope` of its tokens
///   (default `profile email`).
/// - `audience`: the values of its audience mapper, comma-separated, which become `aud`
///   exactly; left out: no mapper, so `aud` is Keycloak's default `account`; empty: no `aud`.
/// - `realm-roles`, `client-roles`: roles of its service account, in `realm_access` and
///   `resource_access`.
///
/// For example `agents:incident-bot:s3cret;scope=keycloak-mcp:read keycloak-mcp:logout;audience=https://mcp.example.com/mcp`.
/// The secret cannot contain `;`.
public struct AgentClientSpec: Sendable, Hashable {
    /// The realm the client belongs to.
    public var realm: String
    /// The client, as ``EmulatedClient/agent(_:secret:defaultScopes:audience:realmRoles:clientRoles:)`` makes it.
    public var client: EmulatedClient

    /// Why a spec did not parse.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Parses one spec.
    public init(_ text: String) throws(ParseError) {
        var fields = text.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        let head = fields.removeFirst().split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard head.count == 3, !head[0].isEmpty, !head[1].isEmpty, !head[2].isEmpty else {
            throw ParseError(description: "\(text): expected REALM:CLIENT_ID:SECRET[;scope=…][;audience=…][;realm-roles=…][;client-roles=…]")
        }
        var scopes = EmulatedClient.keycloakDefaultScopes
        var audience: [String]?
        var realmRoles: Set<String> = []
        var clientRoles: [String: Set<String>] = [:]
        func list(_ value: String) -> [String] {
            value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        for field in fields where !field.isEmpty {
            let pair = field.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard pair.count == 2 else { throw ParseError(description: "\(text): \"\(field)\" is not KEY=VALUE") }
            switch pair[0] {
            case "scope":
                scopes = pair[1].split(separator: " ").map(String.init)
            case "audience":
                audience = list(pair[1])
            case "realm-roles":
                realmRoles.formUnion(list(pair[1]))
            case "client-roles":
                for item in list(pair[1]) {
                    let parts = item.split(separator: "/", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else {
                        throw ParseError(description: "\(text): client role \"\(item)\" is not CLIENT/ROLE")
                    }
                    clientRoles[parts[0], default: []].insert(parts[1])
                }
            default:
                throw ParseError(
                    description: "\(text): unknown key \"\(pair[0])\" (scope, audience, realm-roles, client-roles)")
            }
        }
        self.realm = head[0]
        self.client = .agent(
            head[1], secret: head[2], defaultScopes: scopes, audience: audience, realmRoles: realmRoles,
            clientRoles: clientRoles)
    }
}
