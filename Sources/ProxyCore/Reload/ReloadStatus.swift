/// How config reloads went, for `/readyz`-style checks, logs and tests.
public struct ReloadStatus: Sendable, Hashable {
    /// Reloads that swapped in a new config.
    public var succeeded = 0
    /// Reloads that kept the old config because the new one failed.
    public var failed = 0
    /// nil before the first reload.
    public var lastSucceeded: Bool?
    /// Every problem the last failed reload found, as `FILE:LINE:COL: key.path: message`;
    /// empty after a successful one.
    public var lastErrors: [String] = []
    /// What the last successful reload did to the tenants.
    public var lastChanges: TenantRegistry.Changes?

    /// No reload yet.
    public init() {}
}
