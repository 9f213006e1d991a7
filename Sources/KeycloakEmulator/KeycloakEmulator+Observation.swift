extension KeycloakEmulator {
    /// Requests received for one endpoint kind, including failed and refused ones.
    public func requestCount(_ kind: EndpointKind) -> Int {
        recorder.count(kind)
    }

    /// Requests received per endpoint kind.
    public var requestCounts: [EndpointKind: Int] {
        recorder.counts
    }

    /// Requests received to admin endpoints (every kind with ``EndpointKind/isAdmin``).
    public var adminRequestCount: Int {
        recorder.counts.filter { $0.key.isAdmin }.values.reduce(0, +)
    }

    /// The most recent requests (up to ``EmulatorConfiguration/requestLogLimit``), oldest first,
    /// with their raw targets as received.
    public var requestLog: [RecordedRequest] {
        recorder.log
    }

    /// Forgets counts and the request log.
    public func resetRequestLog() {
        recorder.reset()
    }
}
