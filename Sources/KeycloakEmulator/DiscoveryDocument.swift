/// A realm's OpenID Connect discovery document, also served as its RFC 8414 authorization
/// server metadata (keycloak-behavior.md section 7). The fields an OAuth client and a resource
/// server read; Keycloak lists more (userinfo, introspection, logout endpoints and so on).
struct DiscoveryDocument: Encodable, Sendable {
    var issuer: String
    /// Listed as Keycloak lists it; the emulator has no login page behind it.
    var authorizationEndpoint: String
    var tokenEndpoint: String
    var jwksURI: String
    var grantTypesSupported = ["authorization_code", "client_credentials", "password", "refresh_token"]
    var responseTypesSupported = ["code", "none", "id_token", "token", "id_token token", "code id_token", "code token", "code id_token token"]
    var codeChallengeMethodsSupported = ["S256"]
    var tokenEndpointAuthMethodsSupported = ["client_secret_basic", "client_secret_post"]
    var subjectTypesSupported = ["public", "pairwise"]
    var idTokenSigningAlgValuesSupported: [String]
    var scopesSupported: [String]

    /// The document for the realm whose issuer URL is `issuer`.
    init(issuer: String, signingAlgorithms: [String], scopes: [String]) {
        self.issuer = issuer
        self.authorizationEndpoint = issuer + "/protocol/openid-connect/auth"
        self.tokenEndpoint = issuer + "/protocol/openid-connect/token"
        self.jwksURI = issuer + "/protocol/openid-connect/certs"
        self.idTokenSigningAlgValuesSupported = signingAlgorithms
        self.scopesSupported = scopes
    }

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case grantTypesSupported = "grant_types_supported"
        case responseTypesSupported = "response_types_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case subjectTypesSupported = "subject_types_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
        case scopesSupported = "scopes_supported"
    }
}
