import KeycloakAdmin

extension ProxyConfig {
    /// One line for the listener, then one per tenant and agent, for `check`: what will be
    /// served, never a secret.
    public var summaryLines: [String] {
        var lines = [server.summary]
        for tenant in tenants {
            lines.append(tenant.summary(isDefault: tenant.name == defaultTenant))
        }
        for agent in agents ?? [] {
            lines.append(agent.summary)
        }
        if let oauth = server.oauth, let publicURL = server.publicURL {
            lines.append(
                "oauth: access tokens for \(publicURL) from \(oauth.issuers.map(\.issuer).joined(separator: ", "))"
                    + (oauth.scopes.isEmpty ? "" : "; scopes " + ToolName.allCases.compactMap { tool in oauth.scopes[tool].map { "\(tool.rawValue): \($0)" } }.joined(separator: ", ")))
        }
        if let telemetry {
            let ratio = telemetry.sampleRatio == 1 ? "every trace" : "\(telemetry.sampleRatio) of new traces"
            lines.append("telemetry: spans to \(telemetry.tracesURL) as \(telemetry.serviceName); \(ratio) kept")
        }
        if agents == nil {
            lines.append("agents: none; anonymous calls are accepted on loopback only (listen \(server.listen))")
        }
        return lines
    }
}

extension ServerConfig {
    var summary: String {
        let audit: String
        switch auditLog {
        case .standardError: audit = "standard error"
        case .file(let path): audit = path
        }
        let body = maxBodyBytes % 1024 == 0 ? (maxBodyBytes % (1 << 20) == 0 ? "\(maxBodyBytes >> 20) MiB" : "\(maxBodyBytes >> 10) KiB") : "\(maxBodyBytes) bytes"
        return "server: listen \(listen); audit to \(audit); idle \(ConfigDuration(idleTimeout)), response \(ConfigDuration(responseTimeout)), body at most \(body), \(maxConnections) connections"
    }
}

extension TenantConfig {
    func summary(isDefault: Bool) -> String {
        let c = connection
        var parts = ["\(c.url)\(c.basePath)"]
        switch c.auth.grant {
        case .clientCredentials:
            parts.append("token from realm \(c.auth.realm) by client_credentials as client \(c.auth.clientID)")
        case .password(let username, _, _):
            parts.append("token from realm \(c.auth.realm) by password as user \(username) through client \(c.auth.clientID)")
        }
        var realmText = "realms " + realms.effectiveAllowed.map(\.text).joined(separator: ", ")
        if let defaultRealm = realms.defaultRealm { realmText += " (default \(defaultRealm))" }
        if !realms.denied.isEmpty { realmText += ", never " + realms.denied.map(\.text).joined(separator: ", ") }
        parts.append(realmText)
        if !protectedUsers.isEmpty {
            parts.append("\(protectedUsers.count) protected user\(protectedUsers.count == 1 ? "" : "s")")
        }
        parts.append("pool \(c.pool.maxConnections), idle \(ConfigDuration(c.pool.idleTimeout))")
        parts.append("timeouts connect \(ConfigDuration(c.timeouts.connect)), request \(ConfigDuration(c.timeouts.request))")
        if c.tls.caFile != nil { parts.append("custom CA") }
        if c.tls.certFile != nil { parts.append("client certificate") }
        return "tenant \(name)\(isDefault ? " (default)" : ""): " + parts.joined(separator: "; ")
    }
}

extension AgentConfig {
    var summary: String {
        let toolList = ToolName.allCases.filter(tools.contains).map(\.rawValue).joined(separator: ", ")
        var text = "agent \(name): tools \(toolList.isEmpty ? "none" : toolList)"
        if let tenants {
            let scopes = tenants.keys.sorted().map { name in
                guard let patterns = tenants[name] ?? nil else { return name }
                return "\(name) (\(patterns.map(\.text).joined(separator: ", ")))"
            }
            text += "; tenants " + (scopes.isEmpty ? "none" : scopes.joined(separator: ", "))
        } else {
            text += "; every tenant"
        }
        if let oauth {
            var claims = ["iss \(oauth.issuer)"]
            if let clientID = oauth.clientID { claims.append("azp \(clientID)") }
            if let subject = oauth.subject { claims.append("sub \(subject)") }
            if let username = oauth.username { claims.append("preferred_username \(username)") }
            if let role = oauth.role { claims.append("realm role \(role)") }
            if let clientRole = oauth.clientRole { claims.append("client role \(clientRole.client).\(clientRole.role)") }
            text += "; signs in with access tokens of " + claims.joined(separator: ", ")
            if tokenSHA256 != nil { text += ", or its static token" }
        }
        return text
    }
}
