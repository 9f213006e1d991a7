import Synchronization

/// Fails a tenant's calls fast while its Keycloak cannot be reached, and probes it again after
/// a cool-down.
///
/// Closed: every call goes through; consecutive connection failures are counted, and the
/// `failures`-th opens the circuit. Open: calls are refused without sending anything until the
/// cool-down has passed. Half-open: one call goes through as a probe while the others are still
/// refused; if Keycloak answers it the circuit closes, if not it opens for another cool-down.
final class CircuitBreaker: Sendable {
    /// Whether a call may go to Keycloak.
    enum Decision: Sendable, Hashable {
        case allow
        /// Allowed as the one probe of a half-open circuit: report its result with `probe: true`.
        case probe
        /// Refused; the next probe may go in `retryIn`.
        case reject(retryIn: Duration, failures: Int)
    }

    /// What a call that went through learned about Keycloak.
    enum Evidence: Sendable, Hashable {
        /// Keycloak answered (whatever it said).
        case reachable
        /// Keycloak could not be reached or did not answer in time.
        case unreachable
        /// Nothing was learned (refused before sending, cancelled, the pool was saturated).
        case inconclusive
    }

    private enum Phase {
        case closed
        case open(until: ContinuousClock.Instant)
        case halfOpen(probing: Bool)

        /// Open or half-open: what metrics and tests call open.
        var isOpen: Bool {
            if case .closed = self { return false }
            return true
        }
    }

    private struct State {
        var settings: BreakerSettings
        var phase = Phase.closed
        var consecutiveFailures = 0
    }

    private let state: Mutex<State>

    init(settings: BreakerSettings) {
        state = Mutex(State(settings: settings))
    }

    func update(_ settings: BreakerSettings) {
        state.withLock { $0.settings = settings }
    }

    /// The circuit's state as metrics and tests see it.
    var isOpen: Bool {
        state.withLock { $0.phase.isOpen }
    }

    func admit(at now: ContinuousClock.Instant = .now) -> Decision {
        state.withLock { state in
            switch state.phase {
            case .closed:
                return .allow
            case .open(let until) where now < until:
                return .reject(retryIn: until - now, failures: state.consecutiveFailures)
            case .open, .halfOpen(probing: false):
                state.phase = .halfOpen(probing: true)
                return .probe
            case .halfOpen(probing: true):
                return .reject(retryIn: .zero, failures: state.consecutiveFailures)
            }
        }
    }

    /// Takes what a call learnt about Keycloak; returns whether the circuit is open after it.
    @discardableResult
    func record(_ evidence: Evidence, probe: Bool, at now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { state in
            switch evidence {
            case .reachable:
                state.phase = .closed
                state.consecutiveFailures = 0
            case .unreachable:
                state.consecutiveFailures += 1
                switch state.phase {
                case .closed where state.consecutiveFailures >= state.settings.failures:
                    state.phase = .open(until: now + state.settings.coolDown)
                case .halfOpen where probe:
                    state.phase = .open(until: now + state.settings.coolDown)
                default:
                    // Still closed below the threshold, or a call let in before the circuit
                    // opened: the open period already counts from the failure that opened it.
                    break
                }
            case .inconclusive:
                if probe, case .halfOpen = state.phase {
                    state.phase = .halfOpen(probing: false)
                }
            }
            return state.phase.isOpen
        }
    }
}
