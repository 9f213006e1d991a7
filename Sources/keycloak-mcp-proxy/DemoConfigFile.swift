import Foundation
import KeycloakEmulator

/// Writes the demo's config and the tenants' client secrets (mode 0600) into a directory.
enum DemoConfigFile {
    /// Returns the config file's path.
    static func write(
        in directory: URL, tenants: [(DemoTenant, KeycloakEmulator)], secret: String, listen: String
    ) throws -> String {
        let secretFile = directory.appendingPathComponent("client-secret")
        try Data(secret.utf8).write(to: secretFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretFile.path)
        var yaml = """
            # Written by `keycloak-mcp-proxy demo`: emulated Keycloaks in the demo process.
            version: 1
            server:
              listen: "\(listen)"
              audit_log: "-"
            default_tenant: eu
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

                """
        }
        let path = directory.appendingPathComponent("config.yaml").path
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
