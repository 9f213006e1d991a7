/// A user of a realm.
public struct EmulatedUser: Sendable, Hashable {
    public var id: String
    /// Stored lower-cased, as Keycloak does.
    public var username: String
    public var password: String?
    public var enabled: Bool
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    /// Admin roles, copied into each token at issue time.
    public var roles: Set<AdminRole>
    /// Realm roles, in `realm_access.roles` of the user's tokens (beside Keycloak's default roles).
    public var realmRoles: Set<String>
    /// Client roles by client id, in `resource_access.<client>.roles` of the user's tokens.
    public var clientRoles: [String: Set<String>]

    public init(
        id: String? = nil,
        username: String,
        password: String? = nil,
        enabled: Bool = true,
        email: String? = nil,
        firstName: String? = nil,
        lastName: String? = nil,
        roles: Set<AdminRole> = [],
        realmRoles: Set<String> = [],
        clientRoles: [String: Set<String>] = [:]
    ) {
        self.id = id ?? Identifiers.uuid()
        self.username = username.lowercased()
        self.password = password
        self.enabled = enabled
        self.email = email?.lowercased()
        self.firstName = firstName
        self.lastName = lastName
        self.roles = roles
        self.realmRoles = realmRoles
        self.clientRoles = clientRoles
    }
}
