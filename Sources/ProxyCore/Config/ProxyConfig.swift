public import KeycloakAdmin

/// A validated configuration: everything the proxy serves, with no unchecked value left.
public struct ProxyConfig: Sendable, Hashable {
    public var server: ServerConfig
    /// The tenant used when a call names none; nil when calls must always name one.
    public var defaultTenant: String?
    /// In the order the file lists them.
    public var tenants: [TenantConfig]
    /// nil when the file has no `agents:` section: only anonymous callers on loopback.
    public var agents: [AgentConfig]?
    /// nil when the file has no `telemetry:` section: no spans.
    public var telemetry: TelemetrySettings?

    public init(server: ServerConfig, defaultTenant: String?, tenants: [TenantConfig], agents: [AgentConfig]?, telemetry: TelemetrySettings? = nil) {
        self.server = server
        self.defaultTenant = defaultTenant
        self.tenants = tenants
        self.agents = agents
        self.telemetry = telemetry
    }

    public func tenant(named name: String) -> TenantConfig? {
        tenants.first { $0.name == name }
    }
}

/// Where the proxy listens and what it accepts.
public struct ServerConfig: Sendable, Hashable {
    public var listen: ListenAddress
    /// Origin values accepted besides the listen host, e.g. `https://agents.example.com`.
    public var allowedOrigins: [String]
    public var auditLog: AuditDestination
    /// A connection that sends nothing for this long is closed (an idle keep-alive connection,
    /// or a request body that stopped arriving); one waiting for its answer is not.
    public var idleTimeout: Duration
    /// A request still unanswered after this gets a JSON-RPC internal error: a backstop, as
    /// tool calls end sooner, bounded by each tenant's `timeouts.request`.
    public var responseTimeout: Duration
    /// Larger request bodies are refused with 413 before they are read whole.
    public var maxBodyBytes: Int
    /// Client connections open at once; more wait in the listen backlog until one closes.
    public var maxConnections: Int
    /// The canonical URL of `/mcp` as clients reach it: the OAuth resource, and the audience an
    /// access token must name. Required with ``oauth``.
    public var publicURL: String?
    /// The issuers agents sign in with; nil: static bearer tokens only.
    public var oauth: OAuthSettings?
    /// Signs confirmation states (`server.state_key_file`); nil: a random key per process.
    public var stateKey: StateKey?

    /// The listener's limits when the config sets none (`HTTPSettings` defaults to them too).
    public static let defaultIdleTimeout = Duration.seconds(60)
    public static let defaultResponseTimeout = Duration.seconds(120)
    public static let defaultMaxBodyBytes = 1 << 20
    public static let defaultMaxConnections = 1024

    public init(
        listen: ListenAddress, allowedOrigins: [String] = [], auditLog: AuditDestination = .standardError,
        idleTimeout: Duration = defaultIdleTimeout, responseTimeout: Duration = defaultResponseTimeout,
        maxBodyBytes: Int = defaultMaxBodyBytes, maxConnections: Int = defaultMaxConnections
    ) {
        self.listen = listen
        self.allowedOrigins = allowedOrigins
        self.auditLog = auditLog
        self.idleTimeout = idleTimeout
        self.responseTimeout = responseTimeout
        self.maxBodyBytes = maxBodyBytes
        self.maxConnections = maxConnections
    }
}

/// Where audit records go.
public enum AuditDestination: Sendable, Hashable {
    case standardError
    /// An absolute path; JSON Lines are appended.
    case file(String)
}

/// One Keycloak server and what may be done on it.
public struct TenantConfig: Sendable, Hashable {
    public var name: String
    public var connection: ConnectionSettings
    public var realms: RealmRules
    /// Usernames or user ids that are never logged out.
    public var protectedUsers: [String]
    /// Calls in flight and queued for this tenant.
    public var limits: TenantLimits
    /// When calls to this tenant fail fast because its Keycloak cannot be reached.
    public var breaker: BreakerSettings
    /// Tools whose calls on this tenant need a person's yes.
    public var confirm: Set<ToolName> = []

    /// - Parameter limits: nil for ``TenantLimits/defaults(for:)`` of the connection's pool.
    public init(
        name: String, connection: ConnectionSettings, realms: RealmRules, protectedUsers: [String] = [],
        limits: TenantLimits? = nil, breaker: BreakerSettings = .init()
    ) {
        self.name = name
        self.connection = connection
        self.realms = realms
        self.protectedUsers = protectedUsers
        self.limits = limits ?? .defaults(for: connection.pool)
        self.breaker = breaker
    }
}

/// Which realms of a tenant may be touched.
public struct RealmRules: Sendable, Hashable {
    /// The realm used when a call names none.
    public var defaultRealm: String?
    /// nil: only the default realm.
    public var allowed: [RealmPattern]?
    /// Always wins over `allowed`.
    public var denied: [RealmPattern]

    public init(defaultRealm: String?, allowed: [RealmPattern]?, denied: [RealmPattern] = []) {
        self.defaultRealm = defaultRealm
        self.allowed = allowed
        self.denied = denied
    }

    /// The patterns that admit a realm: `allowed_realms`, or the default realm alone.
    public var effectiveAllowed: [RealmPattern] {
        allowed ?? defaultRealm.map { [RealmPattern($0)] } ?? []
    }

    /// The `denied_realms` entry that refuses this realm, if any.
    public func denial(of realm: String) -> RealmPattern? {
        denied.first { $0.matches(realm) }
    }

    public func allows(_ realm: String) -> Bool {
        denial(of: realm) == nil && admits(realm)
    }

    /// Whether ``effectiveAllowed`` admits `realm`, without building it (as every call asks).
    public func admits(_ realm: String) -> Bool {
        if let allowed { return allowed.contains { $0.matches(realm) } }
        guard let defaultRealm else { return false }
        return RealmPattern.glob(defaultRealm.unicodeScalars, matches: realm.unicodeScalars)
    }
}

/// A caller known by its bearer token, or by the access tokens its issuer signs for it.
public struct AgentConfig: Sendable, Hashable {
    public var name: String
    /// SHA-256 of the static bearer token (32 bytes); nil for an agent that signs in with OAuth only.
    public var tokenSHA256: [UInt8]?
    /// Which access tokens are this agent's; nil for a static token only.
    public var oauth: AgentOAuthMatch?
    /// Tools whose calls by this agent need a person's yes.
    public var confirm: Set<ToolName> = []
    /// The tools it may call; all of them when the file names none.
    public var tools: Set<ToolName>
    /// The tenants it may use, each with realm patterns that narrow the tenant's own
    /// (nil patterns: the tenant's rules as they are). nil: every tenant.
    public var tenants: [String: [RealmPattern]?]?

    public init(
        name: String, tokenSHA256: [UInt8]?, oauth: AgentOAuthMatch? = nil, tools: Set<ToolName> = Set(ToolName.allCases),
        tenants: [String: [RealmPattern]?]? = nil
    ) {
        self.name = name
        self.tokenSHA256 = tokenSHA256
        self.oauth = oauth
        self.tools = tools
        self.tenants = tenants
    }
}

/// `host:port` to listen on.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public static let `default` = ListenAddress(host: "127.0.0.1", port: 8080)

    /// True for 127.0.0.0/8, ::1 and localhost.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Parses `host:port` or `[v6]:port`.
    public init?(parsing text: String) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }),
            let number = Int(port), (0...65535).contains(number), port.allSatisfy(\.isASCII)
        else { return nil }
        self.init(host: String(host), port: number)
    }
}
