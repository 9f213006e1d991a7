public import KeycloakAdmin
public import Logging

/// One tenant as it is served: its config and its admin client (connection pool and token).
public final class TenantRuntime: Sendable {
    public let config: TenantConfig
    public let client: KeycloakAdminClient

    public init(config: TenantConfig, logger: Logger, onTokenEvent: (@Sendable (TokenEvent) -> Void)? = nil) throws(KeycloakError) {
        self.config = config
        var logger = logger
        logger[metadataKey: "tenant"] = "\(config.name)"
        self.client = try KeycloakAdminClient(settings: config.connection, logger: logger, onTokenEvent: onTokenEvent)
    }

    public var name: String { config.name }

    /// Closes the connection pool after the token fetch in flight, if any.
    public func shutdown() async {
        try? await client.shutdown()
    }
}
