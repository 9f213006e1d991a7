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

    public init(maxBodySize: Int = 1 << 20, responseTimeout: Duration = .seconds(120), idleTimeout: Duration = .seconds(60)) {
        self.maxBodySize = maxBodySize
        self.responseTimeout = responseTimeout
        self.idleTimeout = idleTimeout
    }
}
