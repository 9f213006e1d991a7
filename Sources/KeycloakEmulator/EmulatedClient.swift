/// An OAuth client of a realm, such as `admin-cli` or a proxy's service-account client.
public struct EmulatedClient: Sendable, Hashable {
    /// The client's `clientId`, as sent in token requests.
    public var clientID: String
    /// The internal id Keycloak uses in session representations.
    public var id: String
    /// `nil` makes a public client, which needs no secret.
    public var secret: String?
    public var enabled: Bool
    /// Whether `client_credentials` may issue a token for the client's service account.
    public var serviceAccountsEnabled: Bool
    /// The admin roles of the client's service account, copied into each token at issue time.
    public var serviceAccountRoles: Set<AdminRole>

    public init(
        clientID: String,
        id: String? = nil,
        secret: String? = nil,
        enabled: Bool = true,
        serviceAccountsEnabled: Bool? = nil,
        serviceAccountRoles: Set<AdminRole> = []
    ) {
        self.clientID = clientID
        self.id = id ?? Identifiers.uuid()
        self.secret = secret
        self.enabled = enabled
        self.serviceAccountsEnabled = serviceAccountsEnabled ?? (secret != nil)
        self.serviceAccountRoles = serviceAccountRoles
    }

    /// A public client, like Keycloak's `admin-cli`.
    public static func publicClient(_ clientID: String) -> EmulatedClient {
        EmulatedClient(clientID: clientID, secret: nil, serviceAccountsEnabled: false)
    }

    /// A confidential client with a service account holding `roles`.
    public static func serviceAccount(_ clientID: String, secret: String, roles: Set<AdminRole>) -> EmulatedClient {
        EmulatedClient(clientID: clientID, secret: secret, serviceAccountsEnabled: true, serviceAccountRoles: roles)
    }
}
