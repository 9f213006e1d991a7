import Foundation

extension EmulatorDirectory {
    /// `POST {prefix}/realms/{realm}/protocol/openid-connect/token`, in Keycloak's check order.
    mutating func token(
        realm realmName: String, request: TokenRequest, issuer: String, now: ContinuousClock.Instant
    ) -> EmulatorReply {
        // No copy of the realm is held here: password grants add sessions to it in place.
        guard let enabled = realms[realmName]?.settings.enabled else {
            return .error(404, "Realm does not exist")
        }
        guard enabled else {
            return .error(403, "access_denied", description: "Realm not enabled")
        }
        guard let grantType = request.form["grant_type"] else {
            return .error(400, "invalid_request", description: "Missing form parameter: grant_type")
        }
        guard ["client_credentials", "password", "refresh_token"].contains(grantType) else {
            return .error(400, "unsupported_grant_type", description: "Unsupported grant_type")
        }
        let clientID: String
        let secret: String?
        switch request.clientCredentials {
        case .challenge:
            return EmulatorReply(status: 401, body: nil, headers: [("WWW-Authenticate", "Basic realm=\"\(realmName)\"")])
        case .credentials(let id, let given):
            clientID = id
            secret = given
        }
        guard let client = realms[realmName]?.clients[clientID], client.enabled else {
            return .error(401, "invalid_client", description: "Invalid client or Invalid client credentials")
        }
        if let expected = client.secret, secret != expected {
            return .error(401, "unauthorized_client", description: "Invalid client or Invalid client credentials")
        }
        if issuedAccessTokenCount % 256 == 255 { purgeExpiredTokens(now: now) }
        switch grantType {
        case "client_credentials":
            return clientCredentialsGrant(realm: realmName, client: client, issuer: issuer, now: now)
        case "password":
            return passwordGrant(realm: realmName, client: client, form: request.form, issuer: issuer, now: now)
        default:
            return refreshGrant(realm: realmName, client: client, form: request.form, issuer: issuer, now: now)
        }
    }

    private mutating func clientCredentialsGrant(
        realm realmName: String, client: EmulatedClient, issuer: String, now: ContinuousClock.Instant
    ) -> EmulatorReply {
        guard client.secret != nil else {
            return .error(401, "unauthorized_client", description: "Public client not allowed to retrieve service account")
        }
        guard client.serviceAccountsEnabled, let userID = realms[realmName]?.serviceAccountUsers[client.clientID],
            let user = realms[realmName]?.users[userID]
        else {
            return .error(401, "unauthorized_client", description: "Client not enabled to retrieve service account")
        }
        let (token, expiresIn) = issueAccessToken(
            realm: realmName, client: client, user: user.user, sessionID: nil, issuer: issuer, now: now)
        return tokenReply(accessToken: token, expiresIn: expiresIn, refresh: nil)
    }

    private mutating func passwordGrant(
        realm realmName: String, client: EmulatedClient, form: [String: String], issuer: String,
        now: ContinuousClock.Instant
    ) -> EmulatorReply {
        let invalid = EmulatorReply.error(401, "invalid_grant", description: "Invalid user credentials")
        guard let username = form["username"]?.lowercased(), let userID = realms[realmName]?.userIDsByUsername[username],
            let record = realms[realmName]?.users[userID], !record.isServiceAccount
        else { return invalid }
        guard record.user.enabled else {
            return .error(400, "invalid_grant", description: "Account disabled")
        }
        guard let password = form["password"], let expected = record.user.password, password == expected else {
            return invalid
        }
        let offline = (form["scope"] ?? "").split(separator: " ").contains("offline_access")
        let sessionID = realms[realmName]!.startSession(userID: userID, clientID: client.clientID, offline: offline)
        let (token, expiresIn) = issueAccessToken(
            realm: realmName, client: client, user: record.user, sessionID: sessionID, issuer: issuer, now: now)
        let refresh = issueRefreshToken(
            realm: realmName, clientID: client.clientID, userID: userID, sessionID: sessionID, offline: offline, now: now)
        return tokenReply(accessToken: token, expiresIn: expiresIn, refresh: refresh)
    }

    private mutating func refreshGrant(
        realm realmName: String, client: EmulatedClient, form: [String: String], issuer: String,
        now: ContinuousClock.Instant
    ) -> EmulatorReply {
        guard let presented = form["refresh_token"] else {
            return .error(400, "invalid_request", description: "Missing parameter: refresh_token")
        }
        guard let record = refreshTokens[presented], record.realm == realmName else {
            return .error(400, "invalid_grant", description: "Invalid refresh token")
        }
        guard record.clientID == client.clientID else {
            return .error(400, "invalid_grant", description: "Invalid refresh token. Token client and authorized client don't match")
        }
        if let expiresAt = record.expiresAt, expiresAt <= now {
            return .error(400, "invalid_grant", description: "Token is not active")
        }
        guard let realm = realms[realmName] else { return .error(404, "Realm does not exist") }
        if let notBefore = realm.notBefore, record.issuedAt < notBefore {
            return .error(400, "invalid_grant", description: "Stale token")
        }
        guard realm.sessions[record.sessionID] != nil else {
            return .error(400, "invalid_grant", description: "Session not active")
        }
        guard let user = realm.users[record.userID], user.user.enabled else {
            return .error(400, "invalid_grant", description: "Session not active")
        }
        if let notBefore = user.notBefore, record.issuedAt < notBefore {
            return .error(400, "invalid_grant", description: "Stale token")
        }
        refreshTokens[presented] = nil
        let (token, expiresIn) = issueAccessToken(
            realm: realmName, client: client, user: user.user, sessionID: record.sessionID, issuer: issuer, now: now)
        let refresh = issueRefreshToken(
            realm: realmName, clientID: client.clientID, userID: record.userID, sessionID: record.sessionID,
            offline: record.offline, now: now)
        return tokenReply(accessToken: token, expiresIn: expiresIn, refresh: refresh)
    }

    private mutating func issueAccessToken(
        realm: String, client: EmulatedClient, user: EmulatedUser, sessionID: String?, issuer: String,
        now: ContinuousClock.Instant
    ) -> (String, Int64) {
        let lifespan = realms[realm]?.settings.accessTokenLifespan ?? .seconds(60)
        let expiresIn = max(1, lifespan.components.seconds + (lifespan.components.attoseconds > 0 ? 1 : 0))
        let issuedAtEpoch = Self.epochMilliseconds() / 1000
        let claims = AccessTokenClaims(
            exp: issuedAtEpoch + expiresIn, iat: issuedAtEpoch, jti: Identifiers.uuid(), iss: "\(issuer)/realms/\(realm)",
            sub: user.id, azp: client.clientID, sid: sessionID, preferredUsername: user.username)
        let token = Self.encodedTokenHeader + "." + Identifiers.base64URL(Self.json(claims)) + "."
            + Identifiers.randomBase64URL(bytes: 32)
        accessTokens[token] = AccessTokenRecord(
            realm: realm, userID: user.id, sessionID: sessionID, roles: user.roles, issuedAt: now,
            expiresAt: now + lifespan)
        issuedAccessTokenCount += 1
        lastIssuedAccessToken = token
        return (token, expiresIn)
    }

    private mutating func issueRefreshToken(
        realm: String, clientID: String, userID: String, sessionID: String, offline: Bool,
        now: ContinuousClock.Instant
    ) -> (String, Int64) {
        let token = Identifiers.randomBase64URL(bytes: 48)
        refreshTokens[token] = RefreshTokenRecord(
            realm: realm, clientID: clientID, userID: userID, sessionID: sessionID, offline: offline, issuedAt: now,
            expiresAt: offline ? nil : now + Self.refreshLifespan)
        return (token, offline ? 0 : Self.refreshLifespan.components.seconds)
    }

    private func tokenReply(accessToken: String, expiresIn: Int64, refresh: (String, Int64)?) -> EmulatorReply {
        .json(
            200,
            AccessTokenResponse(
                accessToken: accessToken, expiresIn: expiresIn, refreshExpiresIn: refresh?.1 ?? 0,
                refreshToken: refresh?.0, tokenType: tokenType,
                sessionState: refresh.flatMap { refreshTokens[$0.0]?.sessionID }))
    }

    /// The first part of every access token.
    private static let encodedTokenHeader = Identifiers.base64URL(json(AccessTokenClaims.Header()))

    /// Token parts hold only strings and integers, which always encode.
    private static func json(_ value: some Encodable) -> Data {
        (try? EmulatorJSON.encoder.encode(value)) ?? Data()
    }
}
