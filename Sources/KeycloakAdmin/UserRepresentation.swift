/// A Keycloak user, as far as the proxy needs it.
public struct UserRepresentation: Sendable, Hashable, Codable {
    public var id: String
    public var username: String
    public var enabled: Bool?
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    /// Epoch milliseconds.
    public var createdTimestamp: Int64?

    public init(
        id: String, username: String, enabled: Bool? = nil, email: String? = nil, firstName: String? = nil,
        lastName: String? = nil, createdTimestamp: Int64? = nil
    ) {
        self.id = id
        self.username = username
        self.enabled = enabled
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.createdTimestamp = createdTimestamp
    }
}
