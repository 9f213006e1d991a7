extension EmulatorDirectory {
    /// An admin API call (`{prefix}/admin/realms/**`), in the check order of keycloak-behavior.md
    /// sections 2 to 4.
    mutating func admin(
        _ route: Route, bearer: String?, query: [String: String], now: ContinuousClock.Instant
    ) -> EmulatorReply {
        // 1. The token, checked once when the request starts.
        guard let token = authenticate(bearer, now: now) else { return .unauthorized }
        // 2. The realm in the path.
        let realmName = route.realm
        guard realms[realmName] != nil else { return .realmNotFound }
        // 3. Tokens from realms other than master and the target realm.
        guard token.realm == "master" || token.realm == realmName else { return .forbidden }
        let may = AdminPermissions(roles: token.roles, tokenRealm: token.realm, target: realmName)
        // The realm is changed in place: no copy of its users or sessions per request.
        return realms[realmName]!.admin(route, may: may, query: query, now: now)
    }

    /// The token behind `Authorization: Bearer …`, if it is still good.
    func authenticate(_ bearer: String?, now: ContinuousClock.Instant) -> AccessTokenRecord? {
        guard let bearer, let token = accessTokens[bearer], token.expiresAt > now,
            let realm = realms[token.realm], realm.settings.enabled
        else { return nil }
        if let notBefore = realm.notBefore, token.issuedAt < notBefore { return nil }
        guard let user = realm.users[token.userID], user.user.enabled else { return nil }
        if let notBefore = user.notBefore, token.issuedAt < notBefore { return nil }
        if let sessionID = token.sessionID, realm.sessions[sessionID] == nil { return nil }
        return token
    }
}

extension EmulatorDirectory.Realm {
    typealias UserRecord = EmulatorDirectory.UserRecord
    typealias SessionRecord = EmulatorDirectory.SessionRecord

    /// Steps 4 onwards, for a caller allowed past steps 1 to 3.
    mutating func admin(
        _ route: Route, may: AdminPermissions, query: [String: String], now: ContinuousClock.Instant
    ) -> EmulatorReply {
        switch route {
        case .token, .discovery, .authorizationServerMetadata, .jwks:
            return .methodNotAllowed
        case .logout(_, let userID):
            if let refusal = checkUser(userID, may: may) { return refusal }
            guard may.manage else { return .forbidden }
            users[userID]!.notBefore = now
            users[userID]!.notBeforeEpochSeconds = EmulatorDirectory.epochMilliseconds() / 1000
            removeOnlineSessions(of: userID)
            return .noContent
        case .userSessions(_, let userID):
            if let refusal = checkUser(userID, may: may) { return refusal }
            guard may.view else { return .forbidden }
            return .json(200, representations(of: sessions.values.filter { $0.userID == userID && !$0.offline }))
        case .offlineSessions(_, let userID, let clientUUID):
            if let refusal = checkUser(userID, may: may) { return refusal }
            guard may.view else { return .forbidden }
            guard let client = clients.values.first(where: { $0.id == clientUUID }) else {
                return .error(404, "Client not found")
            }
            let found = sessions.values.filter {
                $0.userID == userID && $0.offline && $0.clientIDs.contains(client.clientID)
            }
            return .json(200, representations(of: found))
        case .user(_, let userID):
            if let refusal = checkUser(userID, may: may) { return refusal }
            guard may.view else { return .forbidden }
            return .json(200, UserRepresentation(users[userID]!, brief: false, may: may))
        case .userSearch:
            guard may.query else { return .forbidden }
            let first = max(0, query["first"].flatMap { Int($0) } ?? 0)
            let maxCount = query["max"].flatMap { Int($0) }.map { $0 < 0 ? Int.max : $0 } ?? 100
            let brief = query["briefRepresentation"] == "true"
            let found = search(query).dropFirst(first).prefix(maxCount)
            return .json(200, found.map { UserRepresentation($0, brief: brief, may: may) })
        case .userCount:
            guard may.query else { return .forbidden }
            return .json(200, users.values.filter { !$0.isServiceAccount }.count)
        case .deleteSession(_, let sessionID):
            guard may.manage else { return .forbidden }
            let offline = query["isOffline"] == "true"
            guard let session = sessions[sessionID], session.offline == offline else {
                return .error(404, "Sesssion not found")
            }
            sessions[session.id] = nil
            return .noContent
        case .logoutAll:
            guard may.manage else { return .forbidden }
            removeOnlineSessions(of: nil)
            notBefore = now
            return .json(200, [String: String]())
        }
    }

    /// Step 4: a missing user is 404 for callers who may query users, 403 for others.
    private func checkUser(_ userID: String, may: AdminPermissions) -> EmulatorReply? {
        if users[userID] != nil { return nil }
        return may.query ? .userNotFound : .forbidden
    }

    private func search(_ query: [String: String]) -> [UserRecord] {
        let exact = query["exact"] == "true"
        func matches(_ value: String?, _ wanted: String?) -> Bool {
            guard let wanted else { return true }
            guard let value else { return false }
            return exact ? value.lowercased() == wanted.lowercased() : value.lowercased().contains(wanted.lowercased())
        }
        let general = query["search"].map { $0.lowercased() }
        return users.values
            .filter { record in
                let user = record.user
                guard !record.isServiceAccount else { return false }
                if let general, !general.isEmpty, general != "*" {
                    let fields = [user.username, user.email, user.firstName, user.lastName].compactMap { $0?.lowercased() }
                    guard fields.contains(where: { $0.contains(general) }) else { return false }
                }
                return matches(user.username, query["username"]) && matches(user.email, query["email"])
                    && matches(user.firstName, query["firstName"]) && matches(user.lastName, query["lastName"])
            }
            .sorted { $0.user.username < $1.user.username }
    }

    private func representations(of found: some Sequence<SessionRecord>) -> [SessionRepresentation] {
        found.sorted { $0.start < $1.start || ($0.start == $1.start && $0.id < $1.id) }.map { session in
            var byInternalID: [String: String] = [:]
            for clientID in session.clientIDs { byInternalID[clients[clientID]?.id ?? clientID] = clientID }
            return SessionRepresentation(
                session, username: users[session.userID]?.user.username ?? "", clients: byInternalID)
        }
    }
}
