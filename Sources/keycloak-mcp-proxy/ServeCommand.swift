import ArgumentParser
import Foundation
import Logging
import ProxyCore
import ProxyServer
import ServiceLifecycle

/// `serve --config FILE [--stdio] [--listen HOST:PORT] [--agent NAME]`: serve the config's
/// tenants over Streamable HTTP, or over standard input and output.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the tools over Streamable HTTP at /mcp, or over stdio with --stdio.",
        discussion: """
            HTTP: /mcp, /healthz and /readyz on server.listen (or --listen); SIGTERM or SIGINT stops \
            accepting, finishes the calls in flight and exits. With an agents section every call needs \
            Authorization: Bearer <token>.
            stdio: one MCP session on standard input and output for the agent named by --agent \
            (anonymous without it); logs go to standard error.
            """
    )

    @Option(name: .long, help: "The config file.")
    var config: String

    @Flag(name: .long, help: "Serve one MCP session on standard input and output instead of HTTP.")
    var stdio = false

    @Option(name: .long, help: ArgumentHelp("Listen here instead of server.listen.", valueName: "HOST:PORT"))
    var listen: String?

    @Option(name: .long, help: "With --stdio: the agent whose policy applies (default: anonymous).")
    var agent: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(name: .long, help: "Log format: text, or json for one JSON object per line.")
    var logFormat: LogFormat = .text

    func validate() throws {
        _ = try Logger.Level.parsing(logLevel)
        if let listen, ListenAddress(parsing: listen) == nil {
            throw ValidationError("--listen \(listen): expected HOST:PORT or [IPv6]:PORT")
        }
        if agent != nil && !stdio {
            throw ValidationError("--agent applies to --stdio; over HTTP the bearer token names the agent")
        }
        if listen != nil && stdio {
            throw ValidationError("--listen applies to HTTP, not to --stdio")
        }
    }

    func run() async throws {
        let level = try Logger.Level.parsing(logLevel)
        StandardError.bootstrapLogging(level: level, format: logFormat)
        var logger = Logger(label: "keycloak-mcp-proxy")
        logger.logLevel = level
        let loader = ConfigLoader(environment: ProcessInfo.processInfo.environment)
        let loaded: ConfigLoader.Loaded
        do {
            loaded = try loader.load(path: config)
            // The parse's arena goes back before the tenants' runtimes are built, so they do not
            // raise the peak on top of it.
            FreedMemory.returnToSystem()
        } catch {
            for problem in error.errors { StandardError.print(problem.description) }
            let count = error.errors.count
            StandardError.print("\(config): \(count) error\(count == 1 ? "" : "s"); nothing is served")
            throw ExitCode(1)
        }
        for warning in loaded.warnings {
            StandardError.print("\(warning.file):\(warning.mark): \(warning.path.isEmpty ? "" : warning.path + ": ")warning: \(warning.message)")
        }
        do throws(ServeError) {
            try await serve(loaded.config, loader: loader, logger: logger)
        } catch {
            StandardError.print("keycloak-mcp-proxy: \(error.message)")
            throw ExitCode(1)
        }
    }

    private func serve(_ config: ProxyConfig, loader: ConfigLoader, logger: Logger) async throws(ServeError) {
        let caller = try stdio ? ProxyRuntime.caller(agent: agent, in: config) : .anonymous
        if let limit = FileDescriptorLimit.raise() {
            logger.info("open file limit", metadata: ["soft": "\(limit.soft)", "hard": "\(limit.hard)"])
        }
        let prometheus = PrometheusMetrics()
        let audit = try ProxyRuntime.openAuditLog(config, metrics: prometheus, logger: logger)
        let runtime: ProxyRuntime
        do {
            let telemetry = try config.telemetry.map { settings throws(ServeError) in
                logger.info(
                    "tracing on", metadata: ["endpoint": "\(settings.tracesURL)", "sample_ratio": "\(settings.sampleRatio)"])
                return try Telemetry.make(settings, metrics: prometheus.metrics, logger: logger)
            }
            runtime = try ProxyRuntime(
                config: config, logger: logger, audit: audit, reloadFrom: (self.config, loader), prometheus: prometheus,
                telemetry: telemetry)
        } catch {
            audit.close()
            throw error
        }
        defer { runtime.close() }
        // What parsing and validating the config freed goes back to the system before serving.
        FreedMemory.returnToSystem()
        let group: ServiceGroup
        if stdio {
            group = runtime.serviceGroup([], finishing: [runtime.stdioService(caller: caller)], signals: true)
        } else {
            let http = runtime.httpService(listen: listen.flatMap(ListenAddress.init(parsing:)))
            group = runtime.serviceGroup([http], signals: true)
        }
        do {
            try await group.run()
        } catch {
            throw ServeError("stopped: \(error)")
        }
    }
}
