extension ServerConfig {
    /// The keys of the `server` section that differ in `other` and that a reload cannot apply:
    /// the listener and the audit file are opened at start. `allowed_origins` is not among them.
    func startOnlyKeys(changedIn other: ServerConfig) -> [String] {
        var keys: [String] = []
        if listen != other.listen { keys.append("server.listen") }
        if auditLog != other.auditLog { keys.append("server.audit_log") }
        if idleTimeout != other.idleTimeout { keys.append("server.idle_timeout") }
        if responseTimeout != other.responseTimeout { keys.append("server.response_timeout") }
        if maxBodyBytes != other.maxBodyBytes { keys.append("server.max_body_bytes") }
        if maxConnections != other.maxConnections { keys.append("server.max_connections") }
        return keys
    }
}
