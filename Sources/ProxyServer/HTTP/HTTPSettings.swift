public import ProxyCore

/// Limits of the HTTP listener.
public struct HTTPSettings: Sendable, Hashable {
    /// A request head larger than this is answered with 431.
    public static let maxHeadSize = 64 << 10

    /// Larger POST bodies are refused with 413 before they are read whole.
    public var maxBodySize: Int
    /// A request still unanswered after this gets a JSON-RPC internal error (a backstop: tool
    /// calls end sooner, bounded by each tenant's `timeouts.request`).
    public var responseTimeout: Duration
    /// A connection that sends no whole request head for this long is closed (idle keep-alive,
    /// or a head that drips in), and so is one whose body is not whole this long after its head.
    /// One waiting for its answer is not.
    public var idleTimeout: Duration
    /// Client connections open at once; more wait until one closes. Lowered at start to what
    /// the open file limit leaves room for (``FileDescriptorLimit/connectionCap(requested:upstream:)``).
    public var maxConnections: Int
    /// Connections the tenants' pools may open, which share the open file limit.
    public var upstreamConnections: Int

    public init(
        maxBodySize: Int = ServerConfig.defaultMaxBodyBytes, responseTimeout: Duration = ServerConfig.defaultResponseTimeout,
        idleTimeout: Duration = ServerConfig.defaultIdleTimeout, maxConnections: Int = ServerConfig.defaultMaxConnections,
        upstreamConnections: Int = 0
    ) {
        self.maxBodySize = maxBodySize
        self.responseTimeout = responseTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
        self.upstreamConnections = upstreamConnections
    }
}
