/// A test asked the emulator to change something that does not exist.
public enum EmulatorSeedError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownRealm(String)
    case unknownUser(realm: String, id: String)
    case unknownClient(realm: String, clientID: String)

    public var description: String {
        switch self {
        case .unknownRealm(let realm): "emulator has no realm \"\(realm)\""
        case .unknownUser(let realm, let id): "emulator realm \"\(realm)\" has no user with id \"\(id)\""
        case .unknownClient(let realm, let clientID): "emulator realm \"\(realm)\" has no client \"\(clientID)\""
        }
    }
}
