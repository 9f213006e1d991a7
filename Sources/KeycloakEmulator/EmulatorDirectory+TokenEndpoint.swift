import Foundation

extension EmulatorDirectory {
    /// `POST {prefix}/realms/{realm}/protocol/openid-connect/token`, in Keycloak's check order.
    /// `base` is `scheme://host:port` and the prefix, as the request reached the emulator.
    mutating func token(
        realm realmName: String, request: TokenRequest, base: String, now: ContinuousClock.Instant
    ) -> TokenOutcome {
        // No copy of the realm is held here: password grants add sessions to it in place.
        guard let enabled = realms[realmName]?.settings.enabled else {
            return .reply(.error(404, "Realm does not exist"))
        }
        guard enabled else {
            return .reply(.error(403, "access_denied", description: "Realm not enabled"))
        }
        guard let grantType = request.form["grant_type"] else {
            return .reply(.error(400, "invalid_request", description: "Missing form parameter: grant_type"))
        }
        guard ["client_credentials", "password", "refresh_token"].contains(grantType) else {
            return .reply(.error(400, "unsupported_grant_type", description: "Unsupported grant_type"))
        }
        let clientID: String
        let secret: String?
        switch request.clientCredentials {
        case .challenge:
            return .reply(
                EmulatorReply(status: 401, body: nil, headers: [("WWW-Authenticate", "Basic realm=\"\(realmName)\"")]))
        case .credentials(let id, let given):
            clientID = id
            secret = given
        }
        guard let client = realms[realmName]?.clients[clientID], client.enabled else {
            return .reply(.error(401, "invalid_client", description: "Invalid client or Invalid client credentials"))
        }
        if let expected = client.secret, secret != expected {
            return .reply(.error(401, "unauthorized_client", description: "Invalid client or Invalid client credentials"))
        }
        if issuedAccessTokenCount % 256 == 255 { purgeExpiredTokens(now: now) }
        let grant = Grant(realm: realmName, client: client, issuer: IssuerURL.issuer(base: base, realm: realmName), now: now)
        switch grantType {
        case "client_credentials":
            return clientCredentialsGrant(grant, form: request.form)
        case "password":
            return passwordGrant(grant, form: request.form)
        default:
            return refreshGrant(grant, form: request.form)
        }
    }

    /// Records a signed access token and answers with it.
    mutating func complete(_ pending: PendingAccessToken, token: String) -> EmulatorReply {
        if pending.revocations == revocations {
            accessTokens[token] = pending.record
        }
        issuedAccessTokenCount += 1
        lastIssuedAccessToken = token
        return .json(
            200,
            AccessTokenResponse(
                accessToken: token, expiresIn: pending.expiresIn, refreshExpiresIn: pending.refresh?.expiresIn ?? 0,
                refreshToken: pending.refresh?.token, tokenType: tokenType,
                sessionState: pending.refresh == nil ? nil : pending.record.sessionID, scope: pending.claims.scope))
    }

    /// What every grant needs.
    private struct Grant {
        var realm: String
        var client: EmulatedClient
        var issuer: String
        var now: ContinuousClock.Instant
    }

    private mutating func clientCredentialsGrant(_ grant: Grant, form: [String: String]) -> TokenOutcome {
        let client = grant.client
        guard client.secret != nil else {
            return .reply(
                .error(401, "unauthorized_client", description: "Public client not allowed to retrieve service account"))
        }
        guard client.serviceAccountsEnabled, let userID = realms[grant.realm]?.serviceAccountUsers[client.clientID],
            let user = realms[grant.realm]?.users[userID]
        else {
            return .reply(
                .error(401, "unauthorized_client", description: "Client not enabled to retrieve service account"))
        }
        guard let scope = client.grantedScope(requested: form["scope"]) else { return .reply(Self.invalidScope(form)) }
        return .sign(pendingAccessToken(grant, user: user, sessionID: nil, scope: scope, refresh: nil))
    }

    private mutating func passwordGrant(_ grant: Grant, form: [String: String]) -> TokenOutcome {
        let invalid = EmulatorReply.error(401, "invalid_grant", description: "Invalid user credentials")
        guard let username = form["username"]?.lowercased(), let userID = realms[grant.realm]?.userIDsByUsername[username],
            let record = realms[grant.realm]?.users[userID], !record.isServiceAccount
        else { return .reply(invalid) }
        guard record.user.enabled else {
            return .reply(.error(400, "invalid_grant", description: "Account disabled"))
        }
        guard let password = form["password"], let expected = record.user.password, password == expected else {
            return .reply(invalid)
        }
        guard let scope = grant.client.grantedScope(requested: form["scope"]) else {
            return .reply(Self.invalidScope(form))
        }
        let offline = scope.split(separator: " ").contains("offline_access")
        let sessionID = realms[grant.realm]!.startSession(userID: userID, clientID: grant.client.clientID, offline: offline)
        let refresh = issueRefreshToken(
            grant, userID: userID, sessionID: sessionID, scope: form["scope"], offline: offline)
        return .sign(pendingAccessToken(grant, user: record, sessionID: sessionID, scope: scope, refresh: refresh))
    }

    private mutating func refreshGrant(_ grant: Grant, form: [String: String]) -> TokenOutcome {
        guard let presented = form["refresh_token"] else {
            return .reply(.error(400, "invalid_request", description: "Missing parameter: refresh_token"))
        }
        guard let record = refreshTokens[presented], record.realm == grant.realm else {
            return .reply(.error(400, "invalid_grant", description: "Invalid refresh token"))
        }
        guard record.clientID == grant.client.clientID else {
            return .reply(
                .error(
                    400, "invalid_grant", description: "Invalid refresh token. Token client and authorized client don't match"))
        }
        if let expiresAt = record.expiresAt, expiresAt <= grant.now {
            return .reply(.error(400, "invalid_grant", description: "Token is not active"))
        }
        guard let realm = realms[grant.realm] else { return .reply(.error(404, "Realm does not exist")) }
        if let notBefore = realm.notBefore, record.issuedAt < notBefore {
            return .reply(.error(400, "invalid_grant", description: "Stale token"))
        }
        guard realm.sessions[record.sessionID] != nil else {
            return .reply(.error(400, "invalid_grant", description: "Session not active"))
        }
        guard let user = realm.users[record.userID], user.user.enabled else {
            return .reply(.error(400, "invalid_grant", description: "Session not active"))
        }
        if let notBefore = user.notBefore, record.issuedAt < notBefore {
            return .reply(.error(400, "invalid_grant", description: "Stale token"))
        }
        refreshTokens[presented] = nil
        let scope = grant.client.grantedScope(requested: record.scope) ?? grant.client.defaultScopes.joined(separator: " ")
        let refresh = issueRefreshToken(
            grant, userID: record.userID, sessionID: record.sessionID, scope: record.scope, offline: record.offline)
        return .sign(pendingAccessToken(grant, user: user, sessionID: record.sessionID, scope: scope, refresh: refresh))
    }

    /// The claims and the record of a new access token, not yet signed.
    private func pendingAccessToken(
        _ grant: Grant, user: UserRecord, sessionID: String?, scope: String, refresh: (String, Int64)?
    ) -> PendingAccessToken {
        let realm = realms[grant.realm]!
        let expiresIn = realm.accessTokenExpiresIn
        let claims = realm.accessTokenClaims(
            issuer: grant.issuer, client: grant.client, user: user.user, isServiceAccount: user.isServiceAccount,
            sessionID: sessionID, scope: scope, issuedAt: Self.epochMilliseconds() / 1000, expiresIn: expiresIn)
        let record = AccessTokenRecord(
            realm: grant.realm, userID: user.user.id, sessionID: sessionID, roles: user.user.roles, issuedAt: grant.now,
            expiresAt: grant.now + realm.settings.accessTokenLifespan)
        return PendingAccessToken(
            realm: grant.realm, claims: claims, record: record, expiresIn: expiresIn,
            refresh: refresh.map { (token: $0.0, expiresIn: $0.1) }, revocations: revocations)
    }

    private mutating func issueRefreshToken(
        _ grant: Grant, userID: String, sessionID: String, scope: String?, offline: Bool
    ) -> (String, Int64) {
        let token = Identifiers.randomBase64URL(bytes: 48)
        refreshTokens[token] = RefreshTokenRecord(
            realm: grant.realm, clientID: grant.client.clientID, userID: userID, sessionID: sessionID, offline: offline,
            scope: scope, issuedAt: grant.now, expiresAt: offline ? nil : grant.now + Self.refreshLifespan)
        return (token, offline ? 0 : Self.refreshLifespan.components.seconds)
    }

    /// Keycloak's answer to a requested scope the client does not have.
    private static func invalidScope(_ form: [String: String]) -> EmulatorReply {
        .error(400, "invalid_scope", description: "Invalid scopes: \(form["scope"] ?? "")")
    }
}
