extension KeycloakEmulator {
    /// Fails the next `count` requests (of `kind`, or of any kind) with `failure`.
    /// Rules apply in the order they were added.
    public func failNext(_ count: Int, with failure: InjectedFailure, only kind: EndpointKind? = nil) {
        faults.failNext(count, with: failure, kind: kind)
    }

    /// Delays every request (of `kind`, or of any kind without its own latency) by `latency`.
    public func setLatency(_ latency: Duration, for kind: EndpointKind? = nil) {
        faults.setLatency(latency, kind: kind)
    }

    /// Holds requests (of `kind`, or all) from now on until ``releaseStalled()``.
    public func stall(_ kind: EndpointKind? = nil) {
        stalls.stall(kind)
    }

    /// Lets every held request proceed and stops holding new ones.
    public func releaseStalled() {
        stalls.release()
    }

    /// How many requests are being held by ``stall(_:)`` right now.
    public var stalledCount: Int {
        stalls.heldCount
    }

    /// Removes latency and pending failures (held requests stay held until released).
    public func clearFaults() {
        faults.reset()
    }
}
