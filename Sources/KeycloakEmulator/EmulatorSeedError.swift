/// A test asked the emulator to change something that does not exist.
public enum EmulatorSeedError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownRealm(String)
    case unknownUser(realm: String, id: String)
    case unknownClient(realm: String, clientID: String)
    /// The client has no service account to mint a token for.
    case noServiceAccount(realm: String, clientID: String)
    /// No key with this `kid` in the realm (listed or removed).
    case unknownKey(realm: String, kid: String)

    public var description: String {
        switch self {
        case .unknownRealm(let realm): "emulator has no realm \"\(realm)\""
        case .unknownUser(let realm, let id): "emulator realm \"\(realm)\" has no user with id \"\(id)\""
        case .unknownClient(let realm, let clientID): "emulator realm \"\(realm)\" has no client \"\(clientID)\""
        case .noServiceAccount(let realm, let clientID):
            "client \"\(clientID)\" of emulator realm \"\(realm)\" has no service account"
        case .unknownKey(let realm, let kid): "emulator realm \"\(realm)\" has no signing key \"\(kid)\""
        }
    }
}
