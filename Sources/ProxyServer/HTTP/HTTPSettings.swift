public import ProxyCore

/// Limits of the HTTP listener.
public struct HTTPSettings: Sendable, Hashable {
    /// Larger POST bodies are refused with 413 before they are read whole.
    public var maxBodySize: Int
    /// A request still unanswered after this gets a JSON-RPC internal error (a backstop: tool
    /// calls end sooner, bounded by each tenant's `timeouts.request`).
    public var responseTimeout: Duration
    /// A connection that sends nothing for this long is closed: an idle keep-alive connection,
    /// or one whose request body stopped arriving. One waiting for its answer is not.
    public var idleTimeout: Duration

    public init(
        maxBodySize: Int = ServerConfig.defaultMaxBodyBytes, responseTimeout: Duration = ServerConfig.defaultResponseTimeout,
        idleTimeout: Duration = ServerConfig.defaultIdleTimeout
    ) {
        self.maxBodySize = maxBodySize
        self.responseTimeout = responseTimeout
        self.idleTimeout = idleTimeout
    }
}
