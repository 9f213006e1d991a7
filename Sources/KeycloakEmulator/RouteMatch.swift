import Foundation

/// What the emulator makes of a raw request target before looking at any state.
enum RouteMatch: Sendable, Hashable {
    /// A known endpoint.
    case route(Route)
    /// The path contains `..` or `//` (Keycloak 26.4.3 and later refuse these with 400).
    case notNormalized
    /// No endpoint at this path (RESTEasy's 404).
    case notFound
    /// Known path, other method.
    case methodNotAllowed(EndpointKind)

    var kind: EndpointKind {
        switch self {
        case .route(let route): route.kind
        case .methodNotAllowed(let kind): kind
        case .notNormalized, .notFound: .other
        }
    }

    /// Resolves `target` (path and query as received) under `basePath` (`""` or `"/auth"`).
    init(method: String, target: Substring, basePath: String) {
        let path = target.prefix { $0 != "?" }
        if path.contains("..") || path.contains("//") {
            self = .notNormalized
            return
        }
        var rest = path[...]
        if !basePath.isEmpty {
            guard rest.hasPrefix(basePath + "/") else {
                self = .notFound
                return
            }
            rest = rest.dropFirst(basePath.count)
        }
        var raw = rest.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if raw.count > 1, raw.last?.isEmpty == true { raw = raw.dropLast() }
        var segments: [String] = []
        segments.reserveCapacity(raw.count)
        // Split first, then decode each segment once: `%2F` stays inside its segment.
        for segment in raw {
            guard let decoded = String(segment).removingPercentEncoding else {
                self = .notFound
                return
            }
            segments.append(decoded)
        }
        guard let route = Self.route(segments) else {
            self = .notFound
            return
        }
        self = route.method == method ? .route(route) : .methodNotAllowed(route.kind)
    }

    private static func route(_ s: [String]) -> Route? {
        switch s.count {
        case 5 where s[0] == "realms" && s[2] == "protocol" && s[3] == "openid-connect" && s[4] == "token":
            return .token(realm: s[1])
        case 5 where s[0] == "realms" && s[2] == "protocol" && s[3] == "openid-connect" && s[4] == "certs":
            return .jwks(realm: s[1])
        case 4 where s[0] == "realms" && s[2] == ".well-known" && s[3] == "openid-configuration":
            return .discovery(realm: s[1])
        case 4 where s[0] == ".well-known" && s[1] == "oauth-authorization-server" && s[2] == "realms":
            return .authorizationServerMetadata(realm: s[3])
        case 4 where s[0] == "admin" && s[1] == "realms" && s[3] == "users":
            return .userSearch(realm: s[2])
        case 4 where s[0] == "admin" && s[1] == "realms" && s[3] == "logout-all":
            return .logoutAll(realm: s[2])
        case 5 where s[0] == "admin" && s[1] == "realms" && s[3] == "users" && s[4] == "count":
            return .userCount(realm: s[2])
        case 5 where s[0] == "admin" && s[1] == "realms" && s[3] == "users":
            return .user(realm: s[2], userID: s[4])
        case 5 where s[0] == "admin" && s[1] == "realms" && s[3] == "sessions":
            return .deleteSession(realm: s[2], sessionID: s[4])
        case 6 where s[0] == "admin" && s[1] == "realms" && s[3] == "users" && s[5] == "logout":
            return .logout(realm: s[2], userID: s[4])
        case 6 where s[0] == "admin" && s[1] == "realms" && s[3] == "users" && s[5] == "sessions":
            return .userSessions(realm: s[2], userID: s[4])
        case 7 where s[0] == "admin" && s[1] == "realms" && s[3] == "users" && s[5] == "offline-sessions":
            return .offlineSessions(realm: s[2], userID: s[4], clientUUID: s[6])
        default:
            return nil
        }
    }
}
