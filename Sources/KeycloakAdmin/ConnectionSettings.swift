/// Everything needed to talk to one Keycloak server's admin API.
///
/// Two tenants with equal settings can share a runtime: a config reload keeps a tenant's pool
/// and token when its settings compare equal.
public struct ConnectionSettings: Sendable, Hashable {
    /// Scheme, host and optional port, no path: `https://sso.example.com:8443`.
    public var url: String
    /// `""` for Keycloak 17 and later, `"/auth"` for older ones (or `--http-relative-path`).
    public var basePath: String
    public var auth: AdminAuth
    public var pool: PoolSettings
    public var timeouts: Timeouts
    public var tls: TLSSettings

    public init(
        url: String,
        basePath: String = "",
        auth: AdminAuth,
        pool: PoolSettings = .init(),
        timeouts: Timeouts = .init(),
        tls: TLSSettings = .init()
    ) {
        self.url = url
        self.basePath = basePath
        self.auth = auth
        self.pool = pool
        self.timeouts = timeouts
        self.tls = tls
    }
}

/// How the proxy obtains its admin token from a tenant.
public struct AdminAuth: Sendable, Hashable {
    public enum Grant: Sendable, Hashable {
        /// A confidential client with a service account.
        case clientCredentials(secret: Secret)
        /// A user's password, through a (usually public) client such as `admin-cli`.
        case password(username: String, password: Secret, clientSecret: Secret?)
    }

    /// The realm that issues the token, usually `master`.
    public var realm: String
    public var clientID: String
    public var grant: Grant

    public init(realm: String, clientID: String, grant: Grant) {
        self.realm = realm
        self.clientID = clientID
        self.grant = grant
    }
}

/// Connection pool limits for one tenant.
public struct PoolSettings: Sendable, Hashable {
    public var maxConnections: Int
    public var idleTimeout: Duration

    public init(maxConnections: Int = 8, idleTimeout: Duration = .seconds(60)) {
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
    }
}

/// Time limits for one tenant's requests.
public struct Timeouts: Sendable, Hashable {
    public var connect: Duration
    /// The whole request, from sending to the last byte of the response.
    public var request: Duration

    public init(connect: Duration = .seconds(2), request: Duration = .seconds(10)) {
        self.connect = connect
        self.request = request
    }
}

/// TLS trust and client identity for one tenant. Empty means the system's trust store.
public struct TLSSettings: Sendable, Hashable {
    /// PEM file of CA certificates to trust instead of the system store.
    public var caFile: String?
    /// PEM client certificate chain and its key, for mutual TLS.
    public var certFile: String?
    public var keyFile: String?

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }
}
