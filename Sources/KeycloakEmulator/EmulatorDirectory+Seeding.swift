import Foundation

extension EmulatorDirectory {
    static func epochMilliseconds() -> Int64 {
        Int64(Date().timeIntervalSince1970 * 1000)
    }

    mutating func addRealm(_ settings: EmulatedRealm) {
        var settings = settings
        if settings.accessTokenLifespan < .seconds(1) { settings.accessTokenLifespan = .seconds(1) }
        if var existing = realms[settings.name] {
            existing.settings = settings
            realms[settings.name] = existing
        } else {
            realms[settings.name] = Realm(settings: settings)
        }
    }

    mutating func updateRealm<T>(
        _ name: String, _ change: (inout Realm) throws(EmulatorSeedError) -> T
    ) throws(EmulatorSeedError) -> T {
        guard var realm = realms[name] else { throw .unknownRealm(name) }
        let result = try change(&realm)
        realms[name] = realm
        return result
    }

    mutating func addClient(_ client: EmulatedClient, realm name: String) throws(EmulatorSeedError) {
        try updateRealm(name) { realm throws(EmulatorSeedError) in
            realm.clients[client.clientID] = client
            guard client.serviceAccountsEnabled else { return }
            if let userID = realm.serviceAccountUsers[client.clientID] {
                realm.users[userID]?.user.roles = client.serviceAccountRoles
                realm.users[userID]?.user.realmRoles = client.serviceAccountRealmRoles
                realm.users[userID]?.user.clientRoles = client.serviceAccountClientRoles
                return
            }
            let user = EmulatedUser(
                username: "service-account-\(client.clientID)", roles: client.serviceAccountRoles,
                realmRoles: client.serviceAccountRealmRoles, clientRoles: client.serviceAccountClientRoles)
            realm.serviceAccountUsers[client.clientID] = user.id
            realm.insert(user, isServiceAccount: true)
        }
    }

    mutating func addUser(_ user: EmulatedUser, realm name: String) throws(EmulatorSeedError) {
        try updateRealm(name) { realm throws(EmulatorSeedError) in realm.insert(user, isServiceAccount: false) }
    }

    mutating func addSession(
        realm name: String, userID: String, clientID: String, offline: Bool
    ) throws(EmulatorSeedError) -> String {
        try updateRealm(name) { realm throws(EmulatorSeedError) in
            guard realm.users[userID] != nil else { throw .unknownUser(realm: name, id: userID) }
            guard realm.clients[clientID] != nil else { throw .unknownClient(realm: name, clientID: clientID) }
            return realm.startSession(userID: userID, clientID: clientID, offline: offline)
        }
    }

    func sessions(realm name: String, userID: String) throws(EmulatorSeedError) -> [SessionSnapshot] {
        guard let realm = realms[name] else { throw .unknownRealm(name) }
        return realm.sessions.values
            .filter { $0.userID == userID }
            .sorted { $0.start < $1.start || ($0.start == $1.start && $0.id < $1.id) }
            .map { SessionSnapshot(id: $0.id, userID: $0.userID, offline: $0.offline, clientIDs: $0.clientIDs) }
    }

    mutating func revokeAllAccessTokens() {
        accessTokens.removeAll()
        revocations += 1
    }

    /// Drops access tokens that expired a while ago, so a long benchmark does not grow the map.
    mutating func purgeExpiredTokens(now: ContinuousClock.Instant) {
        accessTokens = accessTokens.filter { $0.value.expiresAt + .seconds(60) > now }
        refreshTokens = refreshTokens.filter { $0.value.expiresAt.map { $0 > now } ?? true }
    }
}

extension EmulatorDirectory.Realm {
    mutating func insert(_ user: EmulatedUser, isServiceAccount: Bool) {
        if let old = users[user.id] { userIDsByUsername[old.user.username] = nil }
        users[user.id] = EmulatorDirectory.UserRecord(
            user: user, createdTimestamp: EmulatorDirectory.epochMilliseconds(), isServiceAccount: isServiceAccount)
        userIDsByUsername[user.username] = user.id
    }

    mutating func startSession(userID: String, clientID: String, offline: Bool) -> String {
        let now = EmulatorDirectory.epochMilliseconds()
        let session = EmulatorDirectory.SessionRecord(
            id: Identifiers.uuid(), userID: userID, offline: offline, clientIDs: [clientID], start: now, lastAccess: now)
        sessions[session.id] = session
        return session.id
    }

    /// Removes every online session of `userID` (or of everyone when `nil`); offline ones stay.
    mutating func removeOnlineSessions(of userID: String?) {
        sessions = sessions.filter { $0.value.offline || (userID != nil && $0.value.userID != userID) }
    }
}
