import Synchronization

extension KeycloakEmulator {
    /// Adds a realm, or replaces the settings of an existing one (its users stay).
    public func addRealm(_ realm: EmulatedRealm) {
        directory.withLock { $0.addRealm(realm) }
    }

    /// Enables or disables a realm; a disabled realm refuses tokens and its tokens stop working.
    public func setRealmEnabled(_ enabled: Bool, realm: String) throws(EmulatorSeedError) {
        try directory.withLock { directory throws(EmulatorSeedError) in
            try directory.updateRealm(realm) { (realm: inout EmulatorDirectory.Realm) throws(EmulatorSeedError) in
                realm.settings.enabled = enabled
            }
        }
    }

    /// Sets the access token lifespan of a realm (at least one second); applies to new tokens.
    public func setAccessTokenLifespan(_ lifespan: Duration, realm: String) throws(EmulatorSeedError) {
        try directory.withLock { directory throws(EmulatorSeedError) in
            try directory.updateRealm(realm) { (realm: inout EmulatorDirectory.Realm) throws(EmulatorSeedError) in
                realm.settings.accessTokenLifespan = max(lifespan, .seconds(1))
            }
        }
    }

    /// Adds or replaces a client. A confidential client with service accounts enabled gets a
    /// `service-account-<clientId>` user holding its roles.
    public func addClient(_ client: EmulatedClient, realm: String) throws(EmulatorSeedError) {
        try directory.withLock { directory throws(EmulatorSeedError) in try directory.addClient(client, realm: realm) }
    }

    /// Changes the roles of a client's service account; tokens already issued keep the old ones.
    public func setServiceAccountRoles(_ roles: Set<AdminRole>, client clientID: String, realm: String)
        throws(EmulatorSeedError)
    {
        try directory.withLock { directory throws(EmulatorSeedError) in
            guard var client = directory.realms[realm]?.clients[clientID] else {
                throw .unknownClient(realm: realm, clientID: clientID)
            }
            client.serviceAccountRoles = roles
            try directory.addClient(client, realm: realm)
        }
    }

    /// Adds or replaces a user; returns its id.
    @discardableResult
    public func addUser(_ user: EmulatedUser, realm: String) throws(EmulatorSeedError) -> String {
        try directory.withLock { directory throws(EmulatorSeedError) in try directory.addUser(user, realm: realm) }
        return user.id
    }

    /// Changes a user's roles; tokens already issued keep the old ones.
    public func setRoles(_ roles: Set<AdminRole>, userID: String, realm: String) throws(EmulatorSeedError) {
        try directory.withLock { directory throws(EmulatorSeedError) in
            try directory.updateRealm(realm) { (r: inout EmulatorDirectory.Realm) throws(EmulatorSeedError) in
                guard r.users[userID] != nil else { throw .unknownUser(realm: realm, id: userID) }
                r.users[userID]!.user.roles = roles
            }
        }
    }

    /// Enables or disables a user.
    public func setUserEnabled(_ enabled: Bool, userID: String, realm: String) throws(EmulatorSeedError) {
        try directory.withLock { directory throws(EmulatorSeedError) in
            try directory.updateRealm(realm) { (r: inout EmulatorDirectory.Realm) throws(EmulatorSeedError) in
                guard r.users[userID] != nil else { throw .unknownUser(realm: realm, id: userID) }
                r.users[userID]!.user.enabled = enabled
            }
        }
    }

    /// Starts a session of a user with a client (by `clientId`); returns the session id.
    @discardableResult
    public func addSession(realm: String, userID: String, clientID: String = "admin-cli", offline: Bool = false)
        throws(EmulatorSeedError) -> String
    {
        try directory.withLock { directory throws(EmulatorSeedError) in
            try directory.addSession(realm: realm, userID: userID, clientID: clientID, offline: offline)
        }
    }

    /// A user's sessions, online and offline, oldest first.
    public func sessions(realm: String, userID: String) throws(EmulatorSeedError) -> [SessionSnapshot] {
        try directory.withLock { directory throws(EmulatorSeedError) in
            try directory.sessions(realm: realm, userID: userID)
        }
    }

    /// Makes every access token issued so far invalid (401 on the admin API).
    public func revokeAllTokens() {
        directory.withLock { $0.revokeAllAccessTokens() }
    }

    /// Makes one access token invalid.
    public func revokeToken(_ accessToken: String) {
        _ = directory.withLock { $0.accessTokens.removeValue(forKey: accessToken) }
    }

    /// How many access tokens the token endpoint has issued.
    public var issuedTokenCount: Int {
        directory.withLock { $0.issuedAccessTokenCount }
    }

    /// The most recently issued access token.
    public var lastIssuedAccessToken: String? {
        directory.withLock { $0.lastIssuedAccessToken }
    }
}
