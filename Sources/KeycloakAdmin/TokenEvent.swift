/// A token fetch as the proxy's metrics see it.
public enum TokenEvent: Sendable {
    /// A new token, valid for `lifetime`, fetched in `latency`.
    case fetched(latency: Duration, lifetime: Duration)
    /// The fetch failed; further fetches wait `backoff` (callers meanwhile get this error).
    case failed(KeycloakError, latency: Duration, backoff: Duration)
}
