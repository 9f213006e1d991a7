/// A user session as the admin API shows it (`GET …/users/{id}/sessions` and offline-sessions).
struct SessionRepresentation: Encodable, Sendable {
    var id: String
    var username: String
    var userId: String
    var ipAddress: String
    /// Epoch milliseconds.
    var start: Int64
    /// Epoch milliseconds.
    var lastAccess: Int64
    var rememberMe: Bool
    /// `clientId` by the client's internal id.
    var clients: [String: String]

    init(_ session: EmulatorDirectory.SessionRecord, username: String, clients: [String: String]) {
        id = session.id
        self.username = username
        userId = session.userID
        ipAddress = "127.0.0.1"
        start = session.start
        lastAccess = session.lastAccess
        rememberMe = false
        self.clients = clients
    }
}
