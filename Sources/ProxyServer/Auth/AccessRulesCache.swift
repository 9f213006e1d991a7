import ProxyCore
import Synchronization

/// The ``AccessRules`` of the config being served, built once per config rather than per
/// request, and rebuilt on the first request after a reload.
final class AccessRulesCache: Sendable {
    private let registry: TenantRegistry
    private let make: @Sendable (ProxyConfig) -> AccessRules
    private let cached: Mutex<(snapshot: TenantRegistry.Snapshot, rules: AccessRules)?> = Mutex(nil)

    init(registry: TenantRegistry, make: @escaping @Sendable (ProxyConfig) -> AccessRules) {
        self.registry = registry
        self.make = make
    }

    /// The rules of the snapshot being served now.
    var current: AccessRules {
        let snapshot = registry.current
        if let rules = cached.withLock({ $0?.snapshot === snapshot ? $0?.rules : nil }) {
            return rules
        }
        let rules = make(snapshot.config)
        cached.withLock { $0 = (snapshot, rules) }
        return rules
    }
}
