import NIOHTTP1

extension KeycloakAdminClient {
    /// Ends every online session of a user (`POST .../users/{id}/logout`). Succeeds also when the
    /// user had no session; offline sessions stay (Keycloak's behaviour).
    public func logout(realm: String, userID: String) async throws(KeycloakError) {
        // Idempotent: a user logged out already gets 204 again.
        let response = try await authorized(
            .POST, realm: realm, path: logoutPath(realm: realm, userID: userID), template: "/admin/realms/{realm}/users/{id}/logout", idempotent: true)
        try checkLogout(response, realm: realm)
    }

    /// `.../users/{id}/logout`, both parts checked and encoded as one path segment each.
    func logoutPath(realm: String, userID: String) throws(KeycloakError) -> String {
        let realmSegment = try PathSegment(realm, argument: "realm")
        let user = try PathSegment(userID, argument: "user_id")
        return adminPath(realmSegment, "/users/", user.encoded, "/logout")
    }

    /// Keycloak's answer to a logout, as the call's outcome.
    func checkLogout(_ response: UpstreamResponse, realm: String) throws(KeycloakError) {
        guard response.status == 204 || response.status == 200 else {
            throw failure(response, realm: realm, needs: .manageUsers)
        }
    }

    /// The user whose username is exactly `username` (Keycloak compares lower-cased), or `nil`.
    public func findUser(realm: String, username: String) async throws(KeycloakError) -> UserRepresentation? {
        let response = try await authorized(.GET, realm: realm, path: findUserPath(realm: realm, username: username), template: "/admin/realms/{realm}/users")
        return try foundUser(response, realm: realm, username: username)
    }

    /// `.../users?username=...&exact=true&briefRepresentation=true`, checked and encoded.
    func findUserPath(realm: String, username: String) throws(KeycloakError) -> String {
        let realmSegment = try PathSegment(realm, argument: "realm")
        try Self.validateQueryValue(username, argument: "username")
        return adminPath(realmSegment, "/users?username=", PercentEncoding.encode(username), "&exact=true&briefRepresentation=true")
    }

    /// The user a search by `username` found.
    func foundUser(_ response: UpstreamResponse, realm: String, username: String) throws(KeycloakError) -> UserRepresentation? {
        guard response.status == 200 else { throw failure(response, realm: realm, needs: .viewUsers) }
        let users = try response.decode([UserRepresentation].self, realm: realm)
        return users.first { $0.username.lowercased() == username.lowercased() }
    }

    /// The user with this id (`GET .../users/{id}`); `user_not_found` if there is none.
    public func user(realm: String, id: String) async throws(KeycloakError) -> UserRepresentation {
        let response = try await authorized(.GET, realm: realm, path: userPath(realm: realm, id: id), template: "/admin/realms/{realm}/users/{id}")
        return try user(response, realm: realm)
    }

    /// `.../users/{id}`, both parts checked and encoded.
    func userPath(realm: String, id: String) throws(KeycloakError) -> String {
        let realmSegment = try PathSegment(realm, argument: "realm")
        let user = try PathSegment(id, argument: "user_id")
        return adminPath(realmSegment, "/users/", user.encoded)
    }

    /// The user Keycloak answered with.
    func user(_ response: UpstreamResponse, realm: String) throws(KeycloakError) -> UserRepresentation {
        guard response.status == 200 else { throw failure(response, realm: realm, needs: .viewUsers) }
        return try response.decode(UserRepresentation.self, realm: realm)
    }

    /// A user's online sessions (`GET .../users/{id}/sessions`).
    public func userSessions(realm: String, userID: String) async throws(KeycloakError) -> [UserSession] {
        let response = try await authorized(
            .GET, realm: realm, path: userSessionsPath(realm: realm, userID: userID), template: "/admin/realms/{realm}/users/{id}/sessions")
        return try userSessions(response, realm: realm)
    }

    /// `.../users/{id}/sessions`, both parts checked and encoded.
    func userSessionsPath(realm: String, userID: String) throws(KeycloakError) -> String {
        let realmSegment = try PathSegment(realm, argument: "realm")
        let user = try PathSegment(userID, argument: "user_id")
        return adminPath(realmSegment, "/users/", user.encoded, "/sessions")
    }

    /// The sessions Keycloak answered with.
    func userSessions(_ response: UpstreamResponse, realm: String) throws(KeycloakError) -> [UserSession] {
        guard response.status == 200 else { throw failure(response, realm: realm, needs: .viewUsers) }
        return try response.decode([UserSession].self, realm: realm)
    }

    private func failure(_ response: UpstreamResponse, realm: String, needs permission: AdminPermission)
        -> KeycloakError
    {
        KeycloakError.adminAPI(
            response, realm: realm, tokenRealm: settings.auth.realm, needs: permission, basePath: settings.basePath)
    }

    /// A query value may hold any character but control characters, and not be absurdly long.
    static func validateQueryValue(_ value: String, argument: String) throws(KeycloakError) {
        if value.isEmpty { throw KeycloakError(.invalidArgument, "\(argument) must not be empty") }
        if value.utf8.count > PathSegment.maximumUTF8Length {
            throw KeycloakError(
                .invalidArgument,
                "\(argument) is \(value.utf8.count) bytes long; at most \(PathSegment.maximumUTF8Length) are allowed")
        }
        if value.unicodeScalars.contains(where: PathSegment.isControl) {
            throw KeycloakError(.invalidArgument, "\(argument) must not contain control characters")
        }
    }
}
