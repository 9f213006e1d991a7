import KeycloakAdmin
import KeycloakEmulator
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// The proxy's service-account client in master, allowed to manage users of `customers`.
let proxyClientID = "keycloak-mcp-proxy"
let proxySecret = "proxy-s3cret-value"
let aliceID = "8d2a6c1e-alice"

/// Realm `customers` with alice (two online sessions and one offline) and the proxy's client.
func seedCustomers(_ emulator: KeycloakEmulator) throws {
    emulator.addRealm(EmulatedRealm(name: "customers"))
    try emulator.addClient(.publicClient("account-console"), realm: "customers")
    try emulator.addClient(
        .serviceAccount(proxyClientID, secret: proxySecret, roles: [.manageUsers("customers")]), realm: "master")
    try emulator.addUser(EmulatedUser(id: aliceID, username: "alice", email: "alice@example.com"), realm: "customers")
    try emulator.addSession(realm: "customers", userID: aliceID, clientID: "account-console")
    try emulator.addSession(realm: "customers", userID: aliceID, clientID: "account-console")
    try emulator.addSession(realm: "customers", userID: aliceID, clientID: "account-console", offline: true)
}

/// Settings for the proxy's client-credentials login against `emulator`.
func settings(
    _ emulator: KeycloakEmulator,
    grant: AdminAuth.Grant = .clientCredentials(secret: Secret(proxySecret)),
    clientID: String = proxyClientID,
    basePath: String? = nil,
    timeouts: Timeouts = .init(connect: .seconds(2), request: .seconds(5)),
    tls: TLSSettings = .init()
) -> ConnectionSettings {
    ConnectionSettings(
        url: emulator.url,
        basePath: basePath ?? emulator.configuration.basePath,
        auth: AdminAuth(realm: "master", clientID: clientID, grant: grant),
        timeouts: timeouts,
        tls: tls
    )
}

var quietLogger: Logger {
    var logger = Logger(label: "keycloak-admin-test")
    logger.logLevel = .critical
    return logger
}

/// Runs `body` with a client that is always shut down afterwards.
func withClient<T>(
    _ settings: ConnectionSettings,
    onTokenEvent: (@Sendable (TokenEvent) -> Void)? = nil,
    onRetry: (@Sendable () -> Void)? = nil,
    _ body: (KeycloakAdminClient) async throws -> T
) async throws -> T {
    let client = try KeycloakAdminClient(settings: settings, logger: quietLogger, onTokenEvent: onTokenEvent, onRetry: onRetry)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// An emulator seeded with `customers`, and a client for it with `settings` adjusted by `adjust`.
func withTenant(
    _ configuration: EmulatorConfiguration = .init(),
    adjust: (inout ConnectionSettings) -> Void = { _ in },
    onTokenEvent: (@Sendable (TokenEvent) -> Void)? = nil,
    onRetry: (@Sendable () -> Void)? = nil,
    _ body: (KeycloakEmulator, KeycloakAdminClient) async throws -> Void
) async throws {
    try await KeycloakEmulator.withRunning(configuration) { emulator in
        try seedCustomers(emulator)
        var tenant = settings(emulator)
        adjust(&tenant)
        try await withClient(tenant, onTokenEvent: onTokenEvent, onRetry: onRetry) { client in try await body(emulator, client) }
    }
}

/// The error a call failed with, or `nil` if it succeeded. Any error other than a
/// ``KeycloakError`` is recorded as a test issue.
func failure<T>(_ body: () async throws -> T) async -> KeycloakError? {
    do {
        _ = try await body()
        return nil
    } catch let error as KeycloakError {
        return error
    } catch {
        Issue.record("expected a KeycloakError, got \(error)")
        return nil
    }
}

/// Counts token events, for asserting what the metrics would see.
final class TokenEventLog: Sendable {
    private let events = Mutex<[String]>([])

    var handler: @Sendable (TokenEvent) -> Void {
        { event in
            let name: String
            switch event {
            case .fetched: name = "fetched"
            case .failed(let error, _, _): name = "failed:\(error.code.rawValue)"
            }
            self.events.withLock { $0.append(name) }
        }
    }

    var names: [String] { events.withLock { $0 } }
}

/// A first logout, token fetch included, tried again after a timeout for up to 20 s: on a
/// machine loaded with the whole suite a cold first call (the emulator may still be making its
/// signing key) can outlast a short request timeout, which is not what the caller tests. A
/// failed token fetch is paced (0.5 s, then 1 s, ...), and calls meanwhile fail at once with
/// its error, so each try waits a little first.
func warmUp(_ client: KeycloakAdminClient) async throws {
    let deadline = ContinuousClock.now + .seconds(20)
    while true {
        guard let error = await failure({ try await client.logout(realm: "customers", userID: aliceID) }) else { return }
        guard error.code == .upstreamTimeout, ContinuousClock.now < deadline else { throw error }
        try await Task.sleep(for: .milliseconds(250))
    }
}

/// A server on a free loopback port that gives every connection it accepts a handler from
/// `makeHandler` (and calls `onAccept`), for upstreams scripted at the byte level. Close it when done.
func loopbackServer(
    onAccept: @escaping @Sendable () -> Void = {}, _ makeHandler: @escaping @Sendable () -> any ChannelHandler
) async throws -> any Channel {
    try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            onAccept()
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(makeHandler())
            }
        }
        .bind(host: "127.0.0.1", port: 0)
        .get()
}

/// The connection settings of a tenant at `url` with the proxy's test credentials.
func scriptedTenant(_ url: String) -> ConnectionSettings {
    ConnectionSettings(
        url: url,
        auth: AdminAuth(realm: "master", clientID: "proxy", grant: .clientCredentials(secret: Secret("s3cret"))),
        timeouts: Timeouts(connect: .seconds(2), request: .seconds(5)))
}
