/// An OAuth client of a realm, such as `admin-cli`, a proxy's service-account client, or an
/// agent that signs in to the proxy with client_credentials (``agent(_:secret:defaultScopes:audience:realmRoles:clientRoles:)``).
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
    /// Realm roles of the service account, in `realm_access.roles` of its tokens (beside
    /// Keycloak's default roles `default-roles-<realm>`, `offline_access`, `uma_authorization`).
    public var serviceAccountRealmRoles: Set<String>
    /// Client roles of the service account by client id, in `resource_access.<client>.roles`.
    public var serviceAccountClientRoles: [String: Set<String>]
    /// The default client scopes that appear in `scope` of its tokens, in this order.
    public var defaultScopes: [String]
    /// Optional client scopes a token request may add with `scope=`; any other requested scope
    /// (but `openid`) is refused with 400 `invalid_scope`, as Keycloak does.
    public var optionalScopes: [String]
    /// `aud` of its access tokens. `nil`: Keycloak without an audience mapper, where `aud`
    /// names the clients whose roles the token carries (by default only `account`, from the
    /// default roles). A list: the values of the client's audience mapper, exactly (add
    /// `"account"` to keep the default one too); empty leaves `aud` out.
    public var audience: [String]?

    public init(
        clientID: String,
        id: String? = nil,
        secret: String? = nil,
        enabled: Bool = true,
        serviceAccountsEnabled: Bool? = nil,
        serviceAccountRoles: Set<AdminRole> = [],
        serviceAccountRealmRoles: Set<String> = [],
        serviceAccountClientRoles: [String: Set<String>] = [:],
        defaultScopes: [String] = Self.keycloakDefaultScopes,
        optionalScopes: [String] = Self.keycloakOptionalScopes,
        audience: [String]? = nil
    ) {
        self.clientID = clientID
        self.id = id ?? Identifiers.uuid()
        self.secret = secret
        self.enabled = enabled
        self.serviceAccountsEnabled = serviceAccountsEnabled ?? (secret != nil)
        self.serviceAccountRoles = serviceAccountRoles
        self.serviceAccountRealmRoles = serviceAccountRealmRoles
        self.serviceAccountClientRoles = serviceAccountClientRoles
        self.defaultScopes = defaultScopes
        self.optionalScopes = optionalScopes
        self.audience = audience
    }

    /// The default client scopes of a new Keycloak client that show in `scope`.
    public static let keycloakDefaultScopes = ["profile", "email"]
    /// The optional client scopes of a new Keycloak client.
    public static let keycloakOptionalScopes = ["address", "phone", "offline_access", "microprofile-jwt", "organization"]

    /// A public client, like Keycloak's `admin-cli`.
    public static func publicClient(_ clientID: String) -> EmulatedClient {
        EmulatedClient(clientID: clientID, secret: nil, serviceAccountsEnabled: false)
    }

    /// A confidential client with a service account holding `roles`.
    public static func serviceAccount(_ clientID: String, secret: String, roles: Set<AdminRole>) -> EmulatedClient {
        EmulatedClient(clientID: clientID, secret: secret, serviceAccountsEnabled: true, serviceAccountRoles: roles)
    }

    /// An agent's confidential client: client_credentials tokens for its service account, with
    /// these default scopes (e.g. `["keycloak-mcp:read", "keycloak-mcp:logout"]`), audience
    /// mapper values (`nil`: none, so `aud` is only `account`) and roles. It holds no admin role.
    public static func agent(
        _ clientID: String,
        secret: String,
        defaultScopes: [String] = keycloakDefaultScopes,
        audience: [String]? = nil,
        realmRoles: Set<String> = [],
        clientRoles: [String: Set<String>] = [:]
    ) -> EmulatedClient {
        EmulatedClient(
            clientID: clientID, secret: secret, serviceAccountsEnabled: true, serviceAccountRealmRoles: realmRoles,
            serviceAccountClientRoles: clientRoles, defaultScopes: defaultScopes, audience: audience)
    }
}
