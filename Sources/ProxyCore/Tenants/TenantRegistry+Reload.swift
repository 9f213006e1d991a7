public import KeycloakAdmin
import Synchronization

extension TenantRegistry {
    /// What a reload did to the tenants, by name.
    public struct Changes: Sendable, Hashable, CustomStringConvertible {
        /// New tenants, with new runtimes.
        public var added: [String] = []
        /// Tenants whose connection settings changed: new runtimes; the old ones are retired.
        public var replaced: [String] = []
        /// Tenants whose connection settings did not change: same runtime, pool and token.
        public var kept: [String] = []
        /// Tenants no longer in the config: their runtimes are retired.
        public var removed: [String] = []

        /// Changes by tenant name.
        public init(added: [String] = [], replaced: [String] = [], kept: [String] = [], removed: [String] = []) {
            self.added = added
            self.replaced = replaced
            self.kept = kept
            self.removed = removed
        }

        public var description: String {
            [("added", added), ("replaced", replaced), ("kept", kept), ("removed", removed)]
                .filter { !$0.1.isEmpty }
                .map { "\($0.0) \($0.1.joined(separator: ", "))" }
                .joined(separator: "; ")
        }
    }

    /// Serves `config` from the next call on.
    ///
    /// A tenant whose ``ConnectionSettings`` equal its current ones keeps its runtime (pool,
    /// token, breaker state) and takes the new policy, limits and breaker settings; any other
    /// tenant gets a new runtime. Runtimes no longer served are retired: they finish the calls
    /// that hold them, then shut their HTTP clients down (``shutdown()`` waits for that).
    ///
    /// - Throws: when a new runtime cannot be made (a TLS file that does not load) or the
    ///   registry is shut down; nothing changes then.
    @discardableResult
    public func apply(_ config: ProxyConfig) throws(KeycloakError) -> Changes {
        let logger = self.logger
        let metrics = self.metrics
        let onTokenEvent = self.onTokenEvent
        return try state.withLock { (state: inout State) throws(KeycloakError) -> Changes in
            guard !state.isShutDown else {
                throw KeycloakError(.upstreamUnavailable, "the proxy is shutting down; the new config was not applied")
            }
            let old = state.snapshot.served.mapValues(\.runtime)
            var changes = Changes()
            var runtimes: [String: TenantRuntime] = [:]
            var kept: [(TenantRuntime, TenantConfig)] = []
            for tenant in config.tenants {
                if let runtime = old[tenant.name], runtime.client.settings == tenant.connection, runtime.phase == .serving {
                    runtimes[tenant.name] = runtime
                    kept.append((runtime, tenant))
                    changes.kept.append(tenant.name)
                    continue
                }
                do throws(KeycloakError) {
                    runtimes[tenant.name] = try Self.makeRuntime(tenant, logger: logger, metrics: metrics, onTokenEvent: onTokenEvent, tracer: tracer)
                } catch {
                    // Nothing was swapped: close what was made for this reload only.
                    for name in changes.added + changes.replaced {
                        if let runtime = runtimes[name] { retire(runtime, in: &state) }
                    }
                    throw error
                }
                if old[tenant.name] == nil { changes.added.append(tenant.name) } else { changes.replaced.append(tenant.name) }
            }
            for (runtime, tenant) in kept { runtime.update(tenant) }
            for (name, runtime) in old where runtimes[name] !== runtime {
                if runtimes[name] == nil { changes.removed.append(name) }
                retire(runtime, in: &state)
            }
            changes.removed.sort()
            state.snapshot = Snapshot(config: config, runtimes: runtimes)
            return changes
        }
    }

    /// Retires `runtime` now (it serves only the calls that hold it) and starts a task that
    /// waits for them, then closes it.
    private func retire(_ runtime: TenantRuntime, in state: inout State) {
        let closer = runtime.retire()
        state.nextRetirement &+= 1
        let id = state.nextRetirement
        state.retiring[id] = Task {
            if closer { await runtime.closeWhenDrained() } else { await runtime.shutdown() }
            self.finishedRetirement(id)
        }
    }
}
