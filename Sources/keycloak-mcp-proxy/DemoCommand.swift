import ArgumentParser
import Foundation
import KeycloakEmulator
import Logging
import ProxyCore
import ProxyServer
import ServiceLifecycle

/// `demo`: emulated Keycloak tenants in this process, a config written for them, served on
/// loopback, and how to connect printed. Needs no Keycloak at all.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Serve three emulated Keycloaks through the proxy on loopback and print how to connect.",
        discussion: "Ctrl-C stops it. The config is written to a temporary directory, removed on exit."
    )

    @Option(name: .long, help: "Port on 127.0.0.1 for the MCP endpoint; 0 picks a free one.")
    var port = 8080

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "warning"

    @Option(name: .long, help: "Log format: text, or json for one JSON object per line.")
    var logFormat: LogFormat = .text

    @Flag(
        name: .long,
        help: """
            Agents sign in with OAuth: tenant eu's emulator is also the agents' issuer (realm agents, client \
            incident-bot), and every call needs an access token from it. Needs a fixed --port.
            """)
    var oauth = false

    func validate() throws {
        if oauth && port == 0 {
            throw ValidationError("--oauth needs a fixed --port: the access tokens name the endpoint's URL as their audience")
        }
    }

    func run() async throws {
        let level = try Logger.Level.parsing(logLevel)
        StandardError.bootstrapLogging(level: level, format: logFormat)
        var logger = Logger(label: "keycloak-mcp-proxy-demo")
        logger.logLevel = level
        let secret = RandomHex.make(byteCount: 32)
        let tenants = try DemoTenant.all.map { tenant in
            let emulator = KeycloakEmulator(
                configuration: .init(host: "127.0.0.1", port: 0, basePath: tenant.basePath, requestLogLimit: 0), logger: logger)
            try tenant.seed(emulator, secret: secret)
            return (tenant, emulator)
        }
        let agents = oauth ? try DemoAgents(publicURL: "http://127.0.0.1:\(port)/mcp", seeding: tenants[0].1) : nil
        let emulators = ServiceGroup(configuration: .init(services: tenants.map(\.1), logger: logger))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("keycloak-mcp-proxy-demo-\(RequestID.make())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await emulators.run() }
            let result: Result<Void, any Error>
            do {
                for (_, emulator) in tenants { try await emulator.waitUntilRunning() }
                try await serve(tenants, agents: agents, directory: directory, secret: secret, logger: logger)
                result = .success(())
            } catch {
                result = .failure(error)
            }
            await emulators.triggerGracefulShutdown()
            try await tasks.waitForAll()
            try result.get()
        }
    }

    private func serve(
        _ tenants: [(DemoTenant, KeycloakEmulator)], agents: DemoAgents?, directory: URL, secret: String, logger: Logger
    ) async throws {
        let path = try DemoConfigFile.write(in: directory, tenants: tenants, agents: agents, secret: secret, listen: "127.0.0.1:\(port)")
        let config: ProxyConfig
        do {
            config = try ConfigLoader(environment: [:]).load(path: path).config
        } catch {
            for problem in error.errors { StandardError.print(problem.description) }
            throw ExitCode(1)
        }
        let prometheus = PrometheusMetrics()
        let audit = try ProxyRuntime.openAuditLog(config, metrics: prometheus, logger: logger)
        let runtime = try ProxyRuntime(config: config, logger: logger, audit: audit, prometheus: prometheus)
        defer { runtime.close() }
        let http = runtime.httpService()
        let group = runtime.serviceGroup([http], signals: true)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await http.waitUntilListening()
            DemoBanner(tenants: tenants, agents: agents, configPath: path, url: "http://127.0.0.1:\(port)/mcp").print()
            try await tasks.waitForAll()
        }
    }
}
