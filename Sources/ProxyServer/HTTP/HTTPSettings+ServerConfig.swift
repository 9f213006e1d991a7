import KeycloakAdmin
public import ProxyCore

extension HTTPSettings {
    /// The listener limits the config's `server` section sets.
    public init(_ server: ServerConfig) {
        self.init(
            maxBodySize: server.maxBodyBytes, responseTimeout: server.responseTimeout, idleTimeout: server.idleTimeout,
            maxConnections: server.maxConnections)
    }

    /// The listener limits of `config`'s `server` section, knowing its tenants' pools.
    public init(_ config: ProxyConfig) {
        self.init(config.server)
        upstreamConnections = config.tenants.reduce(0) { $0 + $1.connection.pool.maxConnections }
    }
}
