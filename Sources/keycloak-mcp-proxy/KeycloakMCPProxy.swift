import ArgumentParser

@main
struct KeycloakMCPProxy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keycloak-mcp-proxy",
        abstract: "One MCP endpoint in front of many Keycloak servers.",
        subcommands: [ServeCommand.self, DemoCommand.self, CheckCommand.self, HashTokenCommand.self, HealthcheckCommand.self]
    )
}
