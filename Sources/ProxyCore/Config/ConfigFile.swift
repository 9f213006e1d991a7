import KeycloakAdmin
import YAML

/// The config file as written: plain `Decodable` sections, each value with its position so that
/// validation can point at it. ``ConfigLoader`` turns it into a ``ProxyConfig``.
struct ConfigFile: Decodable {
    var version: Located<Int>
    var server: ServerSection?
    var defaultTenant: Located<String>?
    var tenants: Located<NamedList<TenantSection>>
    var agents: Located<NamedList<AgentSection>>?
    var telemetry: Located<TelemetrySection>?

    enum CodingKeys: String, CodingKey {
        case version, server, tenants, agents, telemetry
        case defaultTenant = "default_tenant"
    }
}

struct ServerSection: Decodable {
    var listen: Located<String>?
    var allowedOrigins: [Located<String>]?
    var auditLog: Located<String>?
    var idleTimeout: Located<ConfigDuration>?
    var responseTimeout: Located<ConfigDuration>?
    var maxBodyBytes: Located<Int>?
    var maxConnections: Located<Int>?
    var publicURL: Located<String>?
    var oauth: Located<OAuthSection>?
    var stateKeyFile: Located<String>?

    enum CodingKeys: String, CodingKey {
        case listen, oauth
        case publicURL = "public_url"
        case stateKeyFile = "state_key_file"
        case allowedOrigins = "allowed_origins"
        case auditLog = "audit_log"
        case idleTimeout = "idle_timeout"
        case responseTimeout = "response_timeout"
        case maxBodyBytes = "max_body_bytes"
        case maxConnections = "max_connections"
    }
}

struct TelemetrySection: Decodable {
    var otlpEndpoint: Located<String>
    var serviceName: Located<String>?
    var sampleRatio: Located<Double>?
    var caFile: Located<String>?

    enum CodingKeys: String, CodingKey {
        case otlpEndpoint = "otlp_endpoint"
        case serviceName = "service_name"
        case sampleRatio = "sample_ratio"
        case caFile = "ca_file"
    }
}

struct TenantSection: Decodable {
    var url: Located<String>
    var basePath: Located<String>?
    var auth: Located<AuthSection>
    var defaultRealm: Located<String>?
    var allowedRealms: [Located<String>]?
    var deniedRealms: [Located<String>]?
    var protectedUsers: [Located<String>]?
    var pool: PoolSection?
    var timeouts: TimeoutsSection?
    var tls: Located<TLSSection>?
    var limits: LimitsSection?
    var breaker: BreakerSection?
    var confirm: [Located<String>]?

    enum CodingKeys: String, CodingKey {
        case url, auth, pool, timeouts, tls, limits, breaker, confirm
        case basePath = "base_path"
        case defaultRealm = "default_realm"
        case allowedRealms = "allowed_realms"
        case deniedRealms = "denied_realms"
        case protectedUsers = "protected_users"
    }
}

struct AuthSection: Decodable {
    enum GrantType: String, CaseIterable, YAMLScalarDecodable {
        case clientCredentials = "client_credentials"
        case password
    }

    var realm: Located<String>?
    var grantType: Located<GrantType>?
    var clientID: Located<String>?
    var clientSecret: Located<Secret>?
    var clientSecretFile: Located<String>?
    var username: Located<String>?
    var password: Located<Secret>?
    var passwordFile: Located<String>?

    enum CodingKeys: String, CodingKey {
        case realm, username, password
        case grantType = "grant_type"
        case clientID = "client_id"
        case clientSecret = "client_secret"
        case clientSecretFile = "client_secret_file"
        case passwordFile = "password_file"
    }
}

struct PoolSection: Decodable {
    var maxConnections: Located<Int>?
    var idleTimeout: Located<ConfigDuration>?
    var pipeline: Located<Int>?

    enum CodingKeys: String, CodingKey {
        case maxConnections = "max_connections"
        case idleTimeout = "idle_timeout"
        case pipeline
    }
}

struct LimitsSection: Decodable {
    var maxInFlight: Located<Int>?
    var maxQueued: Located<Int>?

    enum CodingKeys: String, CodingKey {
        case maxInFlight = "max_in_flight"
        case maxQueued = "max_queued"
    }
}

struct BreakerSection: Decodable {
    var failures: Located<Int>?
    var coolDown: Located<ConfigDuration>?

    enum CodingKeys: String, CodingKey {
        case failures
        case coolDown = "cool_down"
    }
}

struct TimeoutsSection: Decodable {
    var connect: Located<ConfigDuration>?
    var request: Located<ConfigDuration>?
}

struct TLSSection: Decodable {
    var caFile: Located<String>?
    var certFile: Located<String>?
    var keyFile: Located<String>?

    enum CodingKeys: String, CodingKey {
        case caFile = "ca_file"
        case certFile = "cert_file"
        case keyFile = "key_file"
    }
}

/// `server.oauth`: the issuers whose access tokens agents may sign in with.
struct OAuthSection: Decodable {
    var issuers: Located<[Located<IssuerSection>]>
    var scopes: Located<NamedList<String>>?
    var leeway: Located<ConfigDuration>?
}

struct IssuerSection: Decodable {
    var issuer: Located<String>
    var jwksURI: Located<String>?
    var caFile: Located<String>?

    enum CodingKeys: String, CodingKey {
        case issuer
        case jwksURI = "jwks_uri"
        case caFile = "ca_file"
    }
}

/// `agents.NAME.oauth`: which access tokens are this agent's.
struct AgentOAuthSection: Decodable {
    var issuer: Located<String>
    var clientID: Located<String>?
    var subject: Located<String>?
    var username: Located<String>?
    var role: Located<String>?
    var clientRole: Located<ClientRoleSection>?

    enum CodingKeys: String, CodingKey {
        case issuer, subject, username, role
        case clientID = "client_id"
        case clientRole = "client_role"
    }
}

struct ClientRoleSection: Decodable {
    var client: Located<String>
    var role: Located<String>
}

struct AgentSection: Decodable {
    var tokenSHA256: Located<String>?
    var token: Located<Secret>?
    var oauth: Located<AgentOAuthSection>?
    var tools: [Located<String>]?
    var tenants: Located<NamedList<AgentTenantSection>>?
    var confirm: [Located<String>]?

    enum CodingKeys: String, CodingKey {
        case token, tools, tenants, oauth, confirm
        case tokenSHA256 = "token_sha256"
    }
}

struct AgentTenantSection: Decodable {
    var realms: [Located<String>]?
}
