import Foundation
import KeycloakEmulator

/// What `demo` prints once it serves: the tenants, the endpoint, a curl call and client configs.
struct DemoBanner {
    var tenants: [(DemoTenant, KeycloakEmulator)]
    var configPath: String
    var url: String

    func print() {
        var lines = ["keycloak-mcp-proxy demo: \(tenants.count) emulated Keycloaks in this process, no real one needed.", ""]
        for (tenant, emulator) in tenants {
            let users = tenant.users.map { realm, names in
                "\(realm): " + names.map { tenant.protectedUsers.contains($0) ? "\($0) (protected)" : $0 }.joined(separator: ", ")
            }
            let denied = tenant.deniedRealms.isEmpty ? "" : "; denied realms: \(tenant.deniedRealms.joined(separator: ", "))"
            lines.append("  \(tenant.name.padding(toLength: 7, withPad: " ", startingAt: 0)) \(emulator.url)\(tenant.basePath)  \(users.joined(separator: "; "))\(denied)")
        }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let call = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"logout_user","arguments":{"tenant":"eu","username":"alice"}}}"#
        lines += [
            "",
            "Config:        \(configPath)",
            "MCP endpoint:  \(url)   (Streamable HTTP; anonymous callers on loopback)",
            "",
            "Log alice out of every session on tenant eu:",
            "  curl -s \(url) -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\",
            "    -d '\(call)'",
            "",
            "MCP client config over HTTP (Claude Desktop, Cursor: \"mcpServers\"; VS Code .vscode/mcp.json: \"servers\"):",
            #"  {"mcpServers": {"keycloak-demo": {"type": "http", "url": "\#(url)"}}}"#,
            "or over stdio, while this demo runs:",
            #"  {"mcpServers": {"keycloak-demo": {"command": "\#(binary)", "args": ["serve", "--config", "\#(configPath)", "--stdio"]}}}"#,
            "",
            "Audit records go to standard error. Ctrl-C stops the demo.",
            "",
        ]
        FileHandle.standardOutput.write(Data(lines.joined(separator: "\n").utf8))
    }
}
