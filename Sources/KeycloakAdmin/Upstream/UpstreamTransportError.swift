/// Why a request to Keycloak got no whole answer. ``KeycloakError/transport(_:realm:timeout:)``
/// turns it into what the agent reads.
enum UpstreamTransportError: Error, Sendable {
    /// No connection within `timeouts.connect`.
    case connectTimeout
    /// The connection was refused, reset or could not be made (the underlying error says why).
    case connectFailed(any Error)
    /// No whole answer by the request's deadline (`timeouts.request`).
    case timedOut
    /// Keycloak closed the connection before it had answered.
    case connectionClosed
    /// A connection that had served an exchange before was closed (or reset) before one byte of
    /// this exchange's answer came: Keycloak, or a load balancer in between, closed it as it
    /// sat idle, just as the request went out. ``UpstreamClient`` sends an idempotent request
    /// once more.
    case staleConnection
    /// Every connection stayed busy for as long as a connection may take to open.
    case poolExhausted
    /// The bytes Keycloak sent are not an HTTP/1.1 answer (the reason says where they go wrong).
    case malformedAnswer(String)
    /// The answer was larger than ``UpstreamClient/maximumBodySize``.
    case bodyTooLarge
    /// The client was shut down (its tenant retired).
    case shutDown
    /// The calling task was cancelled.
    case cancelled
}
