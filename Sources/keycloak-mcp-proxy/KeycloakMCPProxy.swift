import ArgumentParser
import NIOCore
import NIOPosix

@main
struct KeycloakMCPProxy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keycloak-mcp-proxy",
        abstract: "One MCP endpoint in front of many Keycloak servers.",
        subcommands: [ServeCommand.self, DemoCommand.self, CheckCommand.self, HashTokenCommand.self, HealthcheckCommand.self]
    )

    static func main() async {
        // Swift tasks run on SwiftNIO's event loops, where the listener and the tenants' HTTP
        // clients do their I/O: a call no longer hops between two thread pools at each step.
        // Blocking work (the audit file) goes to NIO's thread pool.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}
