import KeycloakAdmin

extension TenantRuntime {
    /// Holds the runtime for one call: retirement waits until the call leaves. False once the
    /// runtime is closing; read the registry's current snapshot again.
    func enter() -> Bool {
        lifecycle.enter()
    }

    /// Ends what ``enter()`` began.
    func leave() {
        lifecycle.leave()
    }

    /// Runs `body`, which talks to this tenant's Keycloak, within the tenant's isolation.
    ///
    /// - While the circuit is open the call fails at once with `upstream_unavailable` and
    ///   `body` does not run.
    /// - The call takes one of `limits.max_in_flight` slots; when none is free it waits in a
    ///   queue of at most `limits.max_queued` calls for at most the tenant's request timeout.
    ///   A full queue or a wait that runs out fails with `tenant_overloaded`.
    /// - What `body` learns about Keycloak feeds the breaker: an answer closes it, a
    ///   connection failure or timeout counts toward opening it.
    ///
    /// `body` gets the tenant's meters, for ``TenantMeters/timed(_:)``.
    func isolated<T>(_ body: (TenantMeters) async throws(KeycloakError) -> T) async throws(KeycloakError) -> T {
        let decision = breaker.admit()
        if case .reject(let retryIn, let failures) = decision {
            throw circuitOpen(retryIn: retryIn, failures: failures)
        }
        let probe = decision == .probe
        do throws(CallLimiter.Refusal) {
            // The connection settings, and so the request timeout, are the runtime's for life.
            try await limiter.acquire(maxWait: client.settings.timeouts.request)
        } catch {
            breaker.record(.inconclusive, probe: probe)
            metrics.tenantRejection(tenant: name, reason: "overloaded")
            switch error {
            case .queueFull(let limits):
                throw KeycloakError(
                    .tenantOverloaded,
                    "too many calls to this tenant: \(limits.maxInFlight) in flight and \(limits.maxQueued) waiting; try again shortly")
            case .timedOut(let waited, let limits):
                throw KeycloakError(
                    .tenantOverloaded,
                    "no free slot for this tenant within \(Self.render(waited)) (\(limits.maxInFlight) calls in flight); try again shortly")
            case .cancelled:
                throw KeycloakError(.upstreamUnavailable, "the call was cancelled while it waited for this tenant", retryable: true)
            }
        }
        let admission = admitted(probe: probe)
        do {
            let result = try await body(admission.meters)
            finish(admission, .reachable)
            return result
        } catch {
            finish(admission, Self.evidence(error))
            throw error
        }
    }

    /// A call that holds one of the tenant's slots, within ``isolated(_:)`` until ``finish(_:_:)``.
    struct Admission {
        /// It is the one probe of a half-open circuit.
        let probe: Bool
        let meters: TenantMeters
    }

    /// The refusal of a call while the circuit is open, counted.
    private func circuitOpen(retryIn: Duration, failures: Int) -> KeycloakError {
        metrics.tenantRejection(tenant: name, reason: "circuit_open")
        return KeycloakError(.upstreamUnavailable, Self.circuitOpenMessage(retryIn: retryIn, failures: failures))
    }

    private func admitted(probe: Bool) -> Admission {
        let meters = self.meters
        meters.callsInFlight(change: 1)
        return Admission(probe: probe, meters: meters)
    }

    /// Ends an admitted call: what it learnt about Keycloak goes to the breaker, and its slot
    /// is freed.
    private func finish(_ admission: Admission, _ evidence: CircuitBreaker.Evidence) {
        admission.meters.circuit(open: breaker.record(evidence, probe: admission.probe))
        limiter.release()
        admission.meters.callsInFlight(change: -1)
    }

    /// What a failed call says about whether Keycloak can be reached.
    static func evidence(_ error: KeycloakError) -> CircuitBreaker.Evidence {
        switch error.code {
        case .upstreamUnavailable, .upstreamTimeout:
            return error.upstreamStatus == nil ? .unreachable : .reachable
        case .tenantOverloaded, .invalidArgument:
            return .inconclusive
        case .userNotFound, .realmNotFound, .upstreamAuthFailed, .upstreamForbidden, .upstreamError:
            return .reachable
        }
    }

    static func circuitOpenMessage(retryIn: Duration, failures: Int) -> String {
        guard retryIn > .zero else {
            return "circuit open after \(failures) connection failures; a probe to Keycloak is in flight"
        }
        let seconds = Int((Double(retryIn.components.seconds) + Double(retryIn.components.attoseconds) / 1e18).rounded(.up))
        return "circuit open after \(failures) connection failures; retrying Keycloak in \(max(1, seconds))s"
    }

    static func render(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds >= 1000 && milliseconds % 1000 == 0 ? "\(milliseconds / 1000)s" : "\(milliseconds)ms"
    }
}
