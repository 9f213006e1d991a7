import Foundation
import KeycloakEmulator

/// What `demo` prints once it serves: the tenants, the endpoint, a curl call and client configs.
struct DemoBanner {
    var tenants: [(DemoTenant, KeycloakEmulator)]
    var agents: DemoAgents?
    var configPath: String
    var url: String

    func print() {
        var lines = ["keycloak-mcp-proxy demo: \(tenants.count) emulated Keycloaks in this process, no real one needed.", ""]
        for (tenant, emulator) in tenants {
            let users = tenant.users.map { realm, names in
                "\(realm): " + names.map { tenant.protectedUsers.contains($0) ? "\($0) (protected)" : $0 }.joined(separator: ", ")
            }
            let denied = tenant.deniedRealms.isEmpty ? "" : "; denied realms: \(tenant.deniedRealms.joined(separator: ", "))"
            let confirm = tenant.confirm.isEmpty ? "" : "; a person confirms \(tenant.confirm.joined(separator: ", "))"
            lines.append("  \(tenant.name.padding(toLength: 7, withPad: " ", startingAt: 0)) \(emulator.url)\(tenant.basePath)  \(users.joined(separator: "; "))\(denied)\(confirm)")
        }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let call = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"logout_user","arguments":{"tenant":"eu","username":"alice"}}}"#
        lines += ["", "Config:        \(configPath)"]
        if let agents {
            lines += [
                "MCP endpoint:  \(url)   (Streamable HTTP; agents sign in with OAuth)",
                "Issuer:        \(agents.issuer)   (client \(DemoAgents.clientID), secret \(agents.clientSecret))",
                "",
                "Get a token as incident-bot (client_credentials), then log alice out of every session on tenant eu:",
                "  TOKEN=$(curl -s \(agents.tokenEndpoint) -d grant_type=client_credentials \\",
                "    -d client_id=\(DemoAgents.clientID) -d client_secret=\(agents.clientSecret) | sed 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/')",
                "  curl -s \(url) -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\",
                "    -H 'Accept: application/json, text/event-stream' -d '\(call)'",
                "Without the token the answer is 401, naming where the proxy's OAuth metadata is; an MCP client",
                "with OAuth client credentials (the official Python SDK's) needs only the URL, the client id and the secret.",
                "",
            ]
        } else {
            lines += [
                "MCP endpoint:  \(url)   (Streamable HTTP; anonymous callers on loopback; demo --oauth: agents sign in with OAuth)",
                "",
                "Log alice out of every session on tenant eu:",
                "  curl -s \(url) -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\",
                "    -d '\(call)'",
                "",
            ]
        }
        lines += [
            "MCP client config over HTTP (Claude Desktop, Cursor: \"mcpServers\"; VS Code .vscode/mcp.json: \"servers\"):",
            #"  {"mcpServers": {"keycloak-demo": {"type": "http", "url": "\#(url)"}}}"#,
            "or over stdio, while this demo runs:",
            #"  {"mcpServers": {"keycloak-demo": {"command": "\#(binary)", "args": ["serve", "--config", "\#(configPath)", "--stdio"\#(agents == nil ? "" : #", "--agent", "\#(DemoAgents.clientID)""#)]}}}"#,
            "",
            "On tenant us, logout_user asks a person first: an MCP 2026-07-28 client that supports elicitation shows",
            "the question (\"Log out alice (id …) from 2 sessions on tenant us, realm customers?\") and sends the answer;",
            "other clients get confirmation_required, and dry_run still answers.",
            "",
            "Audit records go to standard error. Ctrl-C stops the demo.",
            "",
        ]
        FileHandle.standardOutput.write(Data(lines.joined(separator: "\n").utf8))
    }
}
