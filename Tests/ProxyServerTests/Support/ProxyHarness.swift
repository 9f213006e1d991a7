import Foundation
import Logging
import ProxyCore
import ProxyServer
import ServiceLifecycle

var quietLogger: Logger {
    var logger = Logger(label: "proxy-server-test")
    logger.logLevel = .critical
    return logger
}

/// A config for `tenants`, listening on a free loopback port.
func proxyConfig(
    _ tenants: [TenantConfig], agents: [TestAgent]? = TestAgent.all, allowedOrigins: [String] = []
) -> ProxyConfig {
    ProxyConfig(
        server: ServerConfig(listen: ListenAddress(host: "127.0.0.1", port: 0), allowedOrigins: allowedOrigins),
        defaultTenant: tenants.first?.name,
        tenants: tenants,
        agents: agents?.map(\.config)
    )
}

/// Serves `config` over HTTP on loopback in this process (registry and listener in a
/// `ServiceGroup`), runs `body` with the `/mcp` URL, then shuts the group down gracefully,
/// which closes every tenant's connection pool. `audit` gets the calls' records (nil: none);
/// with `telemetry`, calls are traced; `/metrics` shows `prometheus`.
func withProxy<T>(
    _ config: ProxyConfig, settings: HTTPSettings? = nil, connections: Int = 8, audit: AuditLog? = nil,
    telemetry: Telemetry? = nil, prometheus: PrometheusMetrics = PrometheusMetrics(), logger: Logger = quietLogger,
    _ body: (MCPTestClient) async throws -> T
) async throws -> T {
    let runtime = try ProxyRuntime(config: config, logger: logger, audit: audit, prometheus: prometheus, telemetry: telemetry)
    let http = runtime.httpService(settings: settings)
    let group = runtime.serviceGroup([http], signals: false, maximumGracefulShutdown: .seconds(5))
    return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { tasks in
        tasks.addTask { try await group.run() }
        var result: Result<T, any Error>
        do {
            let port = try await http.waitUntilListening()
            let client = MCPTestClient(base: "http://127.0.0.1:\(port)", connections: connections)
            do {
                result = .success(try await body(client))
            } catch {
                result = .failure(error)
            }
            try await client.shutdown()
        } catch {
            result = .failure(error)
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return try result.get()
    }
}

/// The value of the sample of `/metrics` text whose name and labels are as given.
func metricSample(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
        let matches = labels.allSatisfy { line.contains("\($0.key)=\"\($0.value)\"") }
        if matches, let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
    }
    return nil
}

/// Whether `condition` holds within `seconds`, checked every 20 ms.
func eventually(within seconds: Int = 5, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// Serves `config` on loopback, as `withProxy` does, and hands over the listener itself.
func withListener(
    _ config: ProxyConfig, settings: HTTPSettings = .init(), logger: Logger = quietLogger, audit: AuditLog? = nil,
    _ body: (HTTPService, Int) async throws -> Void
) async throws {
    let runtime = try ProxyRuntime(config: config, logger: logger, audit: audit)
    let http = runtime.httpService(settings: settings)
    let group = runtime.serviceGroup([http], signals: false, maximumGracefulShutdown: .seconds(5))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var failure: (any Error)?
        do {
            try await body(http, try await http.waitUntilListening())
        } catch {
            failure = error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        if let failure { throw failure }
    }
}

/// An audit log writing to a file of a temporary directory of its own.
struct AuditFile: Sendable {
    let log: AuditLog
    let path: String

    /// The records written so far, oldest first (queued ones are flushed first).
    func records() throws -> [JSON] {
        log.flush()
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { JSON(text: String($0)) }
    }
}

/// Runs `body` with an ``AuditFile`` (pass its `log` to ``withProxy(_:settings:connections:audit:_:)``);
/// closes the log and removes the file afterwards.
func withAuditFile<T>(_ body: (AuditFile) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxy-audit-\(RequestID.make())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("audit.jsonl").path
    let log = try AuditLog(.file(path))
    defer { log.close() }
    return try await body(AuditFile(log: log, path: path))
}
