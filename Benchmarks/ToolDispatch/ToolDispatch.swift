import Benchmark
import Foundation
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Logging
import ProxyCore
import ProxyServer
import Synchronization

// A tools/call as the HTTP endpoint handles it once the body is read, without any I/O: parse
// the body (Foundation's JSONDecoder into JSONValue, then JSONRPCMessage, as MCPEndpoint does),
// dispatch (ToolServer → ToolRouter: policy, tenant routing, metrics into a Prometheus registry
// as `serve` does, no audit log), encode the reply (Foundation's JSONEncoder). The
// tenants point at 127.0.0.1:9 but no call here reaches Keycloak. With scalingFactor .kilo
// each sample runs 1,000 operations and the figures are per operation.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
        warmupIterations: 2,
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 1000,
        // Each benchmark gets its own registry, shut down after it: a debug HTTPClient
        // deallocated without shutdown() traps.
        setup: { try Fixture.start() },
        teardown: { await Fixture.stop() }
    )

    Benchmark("JSON-RPC parse of a logout_user tools/call") { benchmark in
        let body = Fixture.logoutBody
        for _ in benchmark.scaledIterations {
            let message = Fixture.parse(body)
            guard case .request = message else { preconditionFailure("\(message)") }
            blackHole(message)
        }
    }

    Benchmark("tools/call list_tenants: parse, dispatch, encode") { benchmark in
        let fixture = Fixture.current
        for _ in benchmark.scaledIterations {
            let reply = await fixture.answer(Fixture.listTenantsBody, as: fixture.incidentBot)
            precondition(reply != nil)
            blackHole(reply)
        }
    }

    Benchmark("tools/call logout_user refused by policy: parse, dispatch, encode") { benchmark in
        let fixture = Fixture.current
        for _ in benchmark.scaledIterations {
            // helpdesk-assistant may call logout_user on eu's `customers` only.
            let reply = await fixture.answer(Fixture.logoutBody, as: fixture.helpdesk)
            precondition(reply.map { Fixture.isError($0) } ?? false)
            blackHole(reply)
        }
    }

    Benchmark("tools/list: parse, dispatch, encode") { benchmark in
        let fixture = Fixture.current
        for _ in benchmark.scaledIterations {
            let reply = await fixture.answer(Fixture.toolsListBody, as: fixture.incidentBot)
            precondition(reply != nil)
            blackHole(reply)
        }
    }
}

/// Three tenants, two agents, the router and the tool server: what `serve` builds, minus HTTP.
final class Fixture: Sendable {
    static let config = """
        version: 1
        default_tenant: eu
        tenants:
          eu:
            url: "http://127.0.0.1:9"
            auth: { realm: master, client_id: keycloak-mcp-proxy, client_secret: bench-secret }
            default_realm: customers
            allowed_realms: [customers, "partner-*"]
            denied_realms: [master]
            protected_users: [break-glass-admin]
          us:
            url: "http://127.0.0.1:9"
            auth: { realm: customers, client_id: keycloak-mcp-proxy, client_secret: bench-secret }
            default_realm: customers
          legacy:
            url: "http://127.0.0.1:9"
            base_path: "/auth"
            auth: { realm: master, grant_type: password, username: mcp-proxy, password: bench-secret }
            default_realm: employees
            allowed_realms: [employees, "contractors-?"]
        agents:
          incident-bot:
            token_sha256: "9f2b5c6d0e8a1f3b4c7d9e2a5b8c1d4e7f0a3b6c9d2e5f8a1b4c7d0e3f6a9b2c"
            tools: [logout_user, get_user_sessions, list_tenants]
            tenants:
              eu: { realms: [customers, "partner-*"] }
              us: {}
              legacy: {}
          helpdesk-assistant:
            token_sha256: "1f2b5c6d0e8a1f3b4c7d9e2a5b8c1d4e7f0a3b6c9d2e5f8a1b4c7d0e3f6a9b2c"
            tools: [logout_user, get_user_sessions, list_tenants]
            tenants:
              eu: { realms: [customers] }
        """

    /// The body wrk sends in the end-to-end run, with a realm helpdesk-assistant may not use.
    static let logoutBody = Data(
        #"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"logout_user","arguments":{"user_id":"bench-user-1","realm":"partner-acme","tenant":"eu"}},"id":1000000001}"#
            .utf8)
    static let listTenantsBody = Data(
        #"{"jsonrpc":"2.0","method":"tools/call","params":{"name":"list_tenants","arguments":{}},"id":1000000002}"#.utf8)
    static let toolsListBody = Data(#"{"jsonrpc":"2.0","method":"tools/list","id":1000000003}"#.utf8)

    let registry: TenantRegistry
    let server: ToolServer
    let incidentBot: Caller
    let helpdesk: Caller

    init() throws {
        let logger = Logger(label: "benchmark") { _ in SwiftLogNoOpLogHandler() }
        let config = try ConfigLoader(environment: [:])
            .load(bytes: Array(Self.config.utf8), fileName: "config.yaml", directory: "/tmp").config
        registry = try TenantRegistry(config: config, logger: logger, metrics: PrometheusMetrics().metrics)
        server = ToolServer(router: ToolRouter(registry: registry, audit: nil, logger: logger), logger: logger)
        incidentBot = Caller(agent: config.agents!.first { $0.name == "incident-bot" }!)
        helpdesk = Caller(agent: config.agents!.first { $0.name == "helpdesk-assistant" }!)
    }

    /// The body as `MCPEndpoint` reads it (`JSONRPCMessage(body:)` is internal to ProxyServer;
    /// this is what it does): one JSONDecoder pass into JSONValue, then the envelope checks.
    static func parse(_ body: Data) -> JSONRPCMessage {
        guard let value = try? JSONCoding.decode(JSONValue.self, from: body) else {
            preconditionFailure("the benchmark's body is JSON")
        }
        return JSONRPCMessage(value)
    }

    /// Bytes in, bytes out, as `MCPEndpoint` does between reading the body and writing the reply.
    func answer(_ body: Data, as caller: Caller) async -> Data? {
        await server.reply(to: Self.parse(body), caller: caller, requestID: "benchmark")
    }

    static let isErrorTrue = Array(#""isError":true"#.utf8)

    /// Whether the reply holds `"isError":true`; no allocation, so mallocs count the call only.
    static func isError(_ reply: Data) -> Bool {
        reply.withUnsafeBytes { haystack in
            isErrorTrue.withUnsafeBytes { needle in
                guard haystack.count >= needle.count else { return false }
                return (0...(haystack.count - needle.count)).contains { start in
                    haystack[start] == needle[0] && memcmp(haystack.baseAddress! + start, needle.baseAddress!, needle.count) == 0
                }
            }
        }
    }

    // MARK: - One fixture per benchmark

    private static let slot = Mutex<Fixture?>(nil)

    static var current: Fixture { slot.withLock { $0! } }

    static func start() throws {
        let fixture = try Fixture()
        slot.withLock { $0 = fixture }
    }

    static func stop() async {
        let fixture = slot.withLock { slot in
            defer { slot = nil }
            return slot
        }
        await fixture?.registry.shutdown()
    }
}
