/// A user session as the emulator holds it, for tests to inspect.
public struct SessionSnapshot: Sendable, Hashable {
    public var id: String
    public var userID: String
    /// Offline sessions survive a user logout and logout-all.
    public var offline: Bool
    /// The `clientId`s of the clients in the session.
    public var clientIDs: [String]
}
