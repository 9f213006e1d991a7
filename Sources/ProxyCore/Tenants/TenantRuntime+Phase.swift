extension TenantRuntime {
    /// Where a runtime is in its life: a reload or shutdown retires it, and it closes its
    /// connection pool only after the calls it took have finished.
    public enum Phase: Sendable, Hashable {
        /// Takes calls.
        case serving
        /// Retired while calls were still using it: it waits for them (and takes the calls that
        /// read it from an older snapshot), then closes.
        case draining
        /// Its calls have finished; its HTTP client is shutting down. Takes no call.
        case closing
        /// Its HTTP client is shut down.
        case closed
    }
}
