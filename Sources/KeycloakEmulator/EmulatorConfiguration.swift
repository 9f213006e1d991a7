/// How one emulator instance listens and what it starts with.
public struct EmulatorConfiguration: Sendable {
    /// Address to bind; tests use the loopback address.
    public var host: String
    /// Port to bind; `0` lets the system choose (read it back from ``KeycloakEmulator/port``).
    public var port: Int
    /// `""` (Keycloak 17 and later) or `"/auth"` (older, or `--http-relative-path=/auth`).
    public var basePath: String
    /// Serve HTTPS with this identity; `nil` serves plain HTTP.
    public var tls: EmulatorTLS?
    /// How many recent requests ``KeycloakEmulator/requestLog`` keeps.
    public var requestLogLimit: Int
    /// Start with realm `master`, its public `admin-cli` client and an `admin`/`admin` user
    /// holding the master admin role, as a fresh Keycloak does.
    public var seedDefaults: Bool
    /// How the token endpoint spells `token_type`: `"Bearer"` as Keycloak 12 and later do,
    /// `"bearer"` to play a very old server.
    public var tokenType: String
    /// Where the realms' RSA keys come from: by default a process-wide set shared by every
    /// emulator (fast); ``IssuerKeyPolicy/unique`` for keys no other emulator has.
    public var issuerKeys: IssuerKeyPolicy

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        basePath: String = "",
        tls: EmulatorTLS? = nil,
        requestLogLimit: Int = 10_000,
        seedDefaults: Bool = true,
        tokenType: String = "Bearer",
        issuerKeys: IssuerKeyPolicy = .sharedAcrossEmulators
    ) {
        self.host = host
        self.port = port
        self.basePath = basePath
        self.tls = tls
        self.requestLogLimit = requestLogLimit
        self.seedDefaults = seedDefaults
        self.tokenType = tokenType
        self.issuerKeys = issuerKeys
    }
}
