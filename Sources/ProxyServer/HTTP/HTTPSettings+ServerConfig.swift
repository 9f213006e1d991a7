public import ProxyCore

extension HTTPSettings {
    /// The listener limits the config's `server` section sets.
    public init(_ server: ServerConfig) {
        self.init(
            maxBodySize: server.maxBodyBytes, responseTimeout: server.responseTimeout, idleTimeout: server.idleTimeout,
            maxConnections: server.maxConnections)
    }
}
