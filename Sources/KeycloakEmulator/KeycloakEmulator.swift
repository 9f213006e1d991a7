import Hummingbird
import HummingbirdCore
import HummingbirdTLS
public import Logging
import NIOCore
public import ServiceLifecycle
import Synchronization

/// An in-process Keycloak 26.x look-alike for tests, demos and benchmarks.
///
/// It serves the token endpoint and the admin endpoints the proxy uses, with Keycloak's check
/// order, status codes and bodies (see `keycloak-behavior.md`), over HTTP or HTTPS on one port.
/// Every realm is also an OAuth issuer for agents: discovery, a JWKS with rotation, and RS256
/// access tokens (``issuer(realm:)``, ``rotateSigningKey(realm:)``, ``mintAccessToken(realm:clientID:_:)``).
/// Tests shape it in-process: realms, clients, users, sessions, roles and token lifespans
/// (``addRealm(_:)``, ``addClient(_:realm:)``, ``addUser(_:realm:)``, ``addSession(realm:userID:clientID:offline:)``),
/// and faults (``failNext(_:with:only:)``, ``setLatency(_:for:)``, ``stall(_:)``). It counts
/// every request by ``EndpointKind`` and keeps a log of raw request targets.
///
/// It is a `Service`: ``run()`` serves until graceful shutdown or cancellation. Tests usually
/// use ``withRunning(_:logger:_:)``, which starts it, hands it over once it listens, and stops it.
public final class KeycloakEmulator: Service, Sendable {
    public let configuration: EmulatorConfiguration
    let logger: Logger
    let directory: Mutex<EmulatorDirectory>
    /// Every realm's signing and encryption keys, made on first need.
    let keys: IssuerKeyStore
    let faults = FaultInjector()
    let stalls = StallGate()
    let recorder: RequestRecorder
    let startup = StartupSignal()

    public init(configuration: EmulatorConfiguration = .init(), logger: Logger? = nil) {
        self.configuration = configuration
        self.logger = logger ?? {
            var logger = Logger(label: "keycloak-emulator")
            logger.logLevel = .warning
            return logger
        }()
        self.recorder = RequestRecorder(limit: configuration.requestLogLimit)
        self.keys = IssuerKeyStore(policy: configuration.issuerKeys)
        var directory = EmulatorDirectory()
        directory.tokenType = configuration.tokenType
        if configuration.seedDefaults {
            directory.addRealm(EmulatedRealm(name: "master"))
            try? directory.addClient(.publicClient("admin-cli"), realm: "master")
            try? directory.addUser(EmulatedUser(username: "admin", password: "admin", roles: [.admin]), realm: "master")
        }
        self.directory = Mutex(directory)
    }

    /// The bound port, once the server listens; `nil` before.
    public var port: Int? { startup.port }

    /// `http://127.0.0.1:PORT` or `https://…`, without the base path: what a tenant's `url` is.
    ///
    /// - Precondition: the server is listening (after ``waitUntilRunning()``).
    public var url: String {
        guard let port = startup.port else { preconditionFailure("KeycloakEmulator.url read before the server listens") }
        let scheme = configuration.tls == nil ? "http" : "https"
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        return "\(scheme)://\(host):\(port)"
    }

    /// Suspends until the server listens, and returns its port. Throws if it failed to start.
    @discardableResult
    public func waitUntilRunning() async throws -> Int {
        try await startup.wait()
    }

    /// Serves until graceful shutdown or cancellation. Call it once per instance.
    public func run() async throws {
        let server: HTTPServerBuilder =
            if let tls = configuration.tls {
                try .tls(.http1(), tlsConfiguration: tls.serverConfiguration)
            } else {
                .http1()
            }
        let startup = self.startup
        let application = Application(
            responder: EmulatorResponder(emulator: self),
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in
                startup.markRunning(port: channel.localAddress?.port ?? 0)
            },
            logger: logger
        )
        let stalls = self.stalls
        do {
            try await withTaskCancellationHandler {
                try await withGracefulShutdownHandler {
                    try await application.run()
                } onGracefulShutdown: {
                    stalls.close()
                }
            } onCancel: {
                stalls.close()
            }
        } catch {
            startup.fail(error)
            stalls.close()
            throw error
        }
        startup.fail(CancellationError())
        stalls.close()
    }
}
