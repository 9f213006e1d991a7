/// Inputs shared by the benchmarks and the profiling driver.

/// A config with `count` tenants, each with every section filled in, and an agent per ten
/// tenants: the shape of a large multi-region deployment.
public func generatedConfig(tenants count: Int) -> [UInt8] {
    var text = """
        version: 1
        server:
          listen: "127.0.0.1:8080"
          allowed_origins: ["https://agents.example.com"]
        default_tenant: tenant-0000

        tenants:

        """
    for index in 0..<count {
        let name = "tenant-" + String(repeating: "0", count: 4 - String(index).count) + String(index)
        text += """
              \(name):
                url: "https://sso-\(index).example.com:8443"
                base_path: "\(index % 5 == 0 ? "/auth" : "")"
                auth:
                  realm: master
                  grant_type: client_credentials
                  client_id: keycloak-mcp-proxy
                  client_secret: ${KC_SECRET}
                default_realm: customers
                allowed_realms: [customers, "partner-*", "team-??"]
                denied_realms: [master, "internal-*"]
                protected_users: [break-glass-admin, ops-oncall]
                pool: { max_connections: 8, idle_timeout: 60s }
                timeouts: { connect: 2s, request: 10s }

            """
    }
    text += "agents:\n"
    for agent in 0..<(count / 10) {
        let hash = String(repeating: String(agent % 10), count: 60) + String(4096 + agent, radix: 16)
        text += """
              agent-\(agent):
                token_sha256: "\(hash)"
                tools: [logout_user, get_user_sessions, list_tenants]
                tenants:
                  tenant-\(String(repeating: "0", count: 4 - String(agent * 10).count))\(agent * 10): { realms: [customers] }

            """
    }
    return Array(text.utf8)
}

