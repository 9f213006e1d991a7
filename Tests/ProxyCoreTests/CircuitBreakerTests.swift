import KeycloakAdmin
@testable import ProxyCore
import Testing

@Suite("Circuit breaker states", .timeLimit(.minutes(1)))
struct CircuitBreakerTests {
    let start = ContinuousClock.now

    @Test func opensAfterConsecutiveFailuresOnly() {
        let breaker = CircuitBreaker(settings: BreakerSettings(failures: 3, coolDown: .seconds(10)))
        breaker.record(.unreachable, probe: false, at: start)
        breaker.record(.unreachable, probe: false, at: start)
        breaker.record(.reachable, probe: false, at: start)  // an answer resets the count
        breaker.record(.unreachable, probe: false, at: start)
        breaker.record(.inconclusive, probe: false, at: start)  // neither resets nor counts
        #expect(!breaker.record(.unreachable, probe: false, at: start))
        #expect(breaker.admit(at: start) == .allow)
        // The record that opens the circuit says so.
        #expect(breaker.record(.unreachable, probe: false, at: start))
        #expect(breaker.admit(at: start + .seconds(4)) == .reject(retryIn: .seconds(6), failures: 3))
    }

    @Test func oneProbeAtATimeAfterTheCoolDownAndItsResultDecides() {
        let breaker = CircuitBreaker(settings: BreakerSettings(failures: 1, coolDown: .seconds(10)))
        breaker.record(.unreachable, probe: false, at: start)
        #expect(breaker.admit(at: start + .seconds(10)) == .probe)
        #expect(breaker.admit(at: start + .seconds(10)) == .reject(retryIn: .zero, failures: 1))

        // A failed probe opens the circuit for another cool-down.
        breaker.record(.unreachable, probe: true, at: start + .seconds(11))
        #expect(breaker.admit(at: start + .seconds(20)) == .reject(retryIn: .seconds(1), failures: 2))

        // A probe that learned nothing lets the next call probe.
        #expect(breaker.admit(at: start + .seconds(21)) == .probe)
        breaker.record(.inconclusive, probe: true, at: start + .seconds(21))
        #expect(breaker.admit(at: start + .seconds(21)) == .probe)

        // An answer closes it.
        #expect(!breaker.record(.reachable, probe: true, at: start + .seconds(22)))
        #expect(breaker.admit(at: start + .seconds(22)) == .allow)
        #expect(!breaker.isOpen)
    }

    @Test func connectionFailuresCountButKeycloaksAnswersDoNot() {
        let unreachable = KeycloakErrorSamples.unreachable.map(TenantRuntime.evidence)
        #expect(unreachable == [.unreachable, .unreachable])
        let answered = KeycloakErrorSamples.answered.map(TenantRuntime.evidence)
        #expect(answered.allSatisfy { $0 == .reachable })
        #expect(TenantRuntime.evidence(.init(.tenantOverloaded, "busy")) == .inconclusive)
    }
}

private enum KeycloakErrorSamples {
    static let unreachable = [
        KeycloakError(.upstreamUnavailable, "connection refused"),
        KeycloakError(.upstreamTimeout, "no answer within 10s"),
    ]
    static let answered = [
        KeycloakError(.upstreamError, "Keycloak answered 503", upstreamStatus: 503),
        KeycloakError(.userNotFound, "no such user", upstreamStatus: 404),
        KeycloakError(.upstreamForbidden, "no role", upstreamStatus: 403),
    ]
}
