import Foundation
import KeycloakEmulator
import ProxyCore

/// Writes the demo's config and the tenants' client secrets (mode 0600) into a directory.
enum DemoConfigFile {
    /// Returns the config file's path.
    static func write(
        in directory: URL, tenants: [(DemoTenant, KeycloakEmulator)], agents: DemoAgents?, secret: String, listen: String
    ) throws -> String {
        let secretFile = directory.appendingPathComponent("client-secret")
        try Data(secret.utf8).write(to: secretFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretFile.path)
        // Signs confirmation states (tenant us asks a person before logout_user).
        let stateKeyFile = directory.appendingPathComponent("state-key")
        try Data(RandomHex.make(byteCount: 32).utf8).write(to: stateKeyFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: stateKeyFile.path)
        var yaml = """
            # Written by `keycloak-mcp-proxy demo`: emulated Keycloaks in the demo process.
            version: 1
            server:
              listen: "\(listen)"
              audit_log: "-"
              state_key_file: state-key
            \(agents.map(Self.oauthServer) ?? "")default_tenant: eu
            tenants:

            """
        for (tenant, emulator) in tenants {
            yaml += """
                  \(tenant.name):
                    url: "\(emulator.url)"
                    base_path: "\(tenant.basePath)"
                    auth:
                      realm: master
                      client_id: \(DemoTenant.proxyClientID)
                      client_secret_file: client-secret
                    default_realm: \(tenant.defaultRealm)
                    allowed_realms: [\(tenant.allowedRealms.map { "\"\($0)\"" }.joined(separator: ", "))]
                    denied_realms: [\(tenant.deniedRealms.map { "\"\($0)\"" }.joined(separator: ", "))]
                    protected_users: [\(tenant.protectedUsers.joined(separator: ", "))]
                    timeouts: { connect: 2s, request: 5s }
                    confirm: [\(tenant.confirm.joined(separator: ", "))]

                """
        }
        if let agents {
            yaml += """
                agents:
                  \(DemoAgents.clientID):
                    oauth: { issuer: "\(agents.issuer)", client_id: \(DemoAgents.clientID) }

                """
        }
        let path = directory.appendingPathComponent("config.yaml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `server.public_url` and `server.oauth`, indented for the server section.
    private static func oauthServer(_ agents: DemoAgents) -> String {
        let scopes = DemoAgents.scopes.map { "\($0.tool.rawValue): \"\($0.scope)\"" }.joined(separator: ", ")
        return [
            "  public_url: \"\(agents.publicURL)\"",
            "  oauth:",
            "    issuers:",
            "      - issuer: \"\(agents.issuer)\"",
            "    scopes: { \(scopes) }",
            "",
        ].joined(separator: "\n")
    }
}
