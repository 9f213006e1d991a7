import MCP

/// The MCP revisions the proxy speaks, and the `_meta` keys of the 2026-07-28 one.
///
/// 2026-07-28 ("modern") has no `initialize`: every request names its version and the client's
/// capabilities in `params._meta`. The earlier revisions ("legacy": 2025-11-25 back to
/// 2024-11-05, those of the MCP Swift SDK the proxy is built with) agree on a version in
/// `initialize`. The proxy answers both, on both transports, through one ``ToolServer``.
public enum ProtocolRevision {
    /// The stateless revisions, newest first.
    public static let modern = ["2026-07-28"]
    /// The revisions with `initialize`, newest first.
    public static let legacy = MCP.Version.supported.sorted(by: >)
    /// What the proxy answers `initialize` with when it does not speak the version asked for.
    public static let latestLegacy = MCP.Version.latest
    /// Every version the proxy speaks, newest first.
    public static let all = modern + legacy

    /// `params._meta` key of a 2026 request's protocol version.
    static let versionKey = "io.modelcontextprotocol/protocolVersion"
    /// `params._meta` key of the client's capabilities.
    static let clientCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities"
    /// `params._meta` key of the client's name and version.
    static let clientInfoKey = "io.modelcontextprotocol/clientInfo"
    /// `result._meta` key of the server's name and version.
    static let serverInfoKey = "io.modelcontextprotocol/serverInfo"
}
