/// A request resolved to one of Keycloak's endpoints, with its path parameters decoded.
enum Route: Sendable, Hashable {
    case token(realm: String)
    case logout(realm: String, userID: String)
    case userSessions(realm: String, userID: String)
    case offlineSessions(realm: String, userID: String, clientUUID: String)
    case user(realm: String, userID: String)
    case userSearch(realm: String)
    case userCount(realm: String)
    case deleteSession(realm: String, sessionID: String)
    case logoutAll(realm: String)
    /// OpenID Connect discovery of the realm's issuer.
    case discovery(realm: String)
    /// RFC 8414 metadata of the realm's issuer (the same document).
    case authorizationServerMetadata(realm: String)
    case jwks(realm: String)

    var kind: EndpointKind {
        switch self {
        case .token: .token
        case .logout: .logout
        case .userSessions: .userSessions
        case .offlineSessions: .offlineSessions
        case .user: .user
        case .userSearch: .userSearch
        case .userCount: .userCount
        case .deleteSession: .deleteSession
        case .logoutAll: .logoutAll
        case .discovery, .authorizationServerMetadata: .discovery
        case .jwks: .jwks
        }
    }

    /// The method the endpoint answers; others get 405.
    var method: String {
        switch self {
        case .token, .logout, .logoutAll: "POST"
        case .deleteSession: "DELETE"
        default: "GET"
        }
    }

    /// The realm in the path.
    var realm: String {
        switch self {
        case .token(let realm), .userSearch(let realm), .userCount(let realm), .logoutAll(let realm),
            .discovery(let realm), .authorizationServerMetadata(let realm), .jwks(let realm):
            realm
        case .logout(let realm, _), .userSessions(let realm, _), .user(let realm, _),
            .deleteSession(let realm, _), .offlineSessions(let realm, _, _):
            realm
        }
    }
}
