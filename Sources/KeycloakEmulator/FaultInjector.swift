import Synchronization

/// Latency and "fail the next N requests" rules, set by tests and consulted per request.
final class FaultInjector: Sendable {
    private struct FailureRule {
        var remaining: Int
        var failure: InjectedFailure
        var kind: EndpointKind?
    }

    private struct State {
        var failures: [FailureRule] = []
        var latency: Duration = .zero
        var latencyByKind: [EndpointKind: Duration] = [:]
    }

    private let state = Mutex(State())

    func failNext(_ count: Int, with failure: InjectedFailure, kind: EndpointKind?) {
        guard count > 0 else { return }
        state.withLock { $0.failures.append(FailureRule(remaining: count, failure: failure, kind: kind)) }
    }

    func setLatency(_ latency: Duration, kind: EndpointKind?) {
        state.withLock { state in
            if let kind { state.latencyByKind[kind] = latency } else { state.latency = latency }
        }
    }

    func reset() {
        state.withLock { $0 = State() }
    }

    /// The failure to inject for this request, if any (consumed), and the latency to add.
    func decide(for kind: EndpointKind) -> (failure: InjectedFailure?, latency: Duration) {
        state.withLock { state in
            let latency = state.latencyByKind[kind] ?? state.latency
            guard let index = state.failures.firstIndex(where: { $0.kind == nil || $0.kind == kind }) else {
                return (nil, latency)
            }
            let failure = state.failures[index].failure
            state.failures[index].remaining -= 1
            if state.failures[index].remaining == 0 { state.failures.remove(at: index) }
            return (failure, latency)
        }
    }
}
