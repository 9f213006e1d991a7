import ArgumentParser
import Foundation
import KeycloakEmulator
import Logging
import ServiceLifecycle
import UnixSignals

/// `keycloak-emulator`: the emulator as its own program, for benchmarks and manual tries.
@main
struct KeycloakEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keycloak-emulator",
        abstract: "Serve an emulated Keycloak 26 (token endpoint, OAuth issuer, user admin API) until SIGINT or SIGTERM.",
        discussion: """
            Starts with realm master, its public client admin-cli and the user admin/admin (master admin role).
            Every realm is an OAuth issuer, {url}{base-path}/realms/{realm}, with discovery, a JWKS and RS256 tokens.
            Example:
              keycloak-emulator --port 8081 --base-path /auth --realm customers \\
                --user customers:alice:alice-id --client master:keycloak-mcp-proxy:s3cret --token-lifespan 60s \\
                --agent-client 'agents:incident-bot:bot-s3cret;scope=keycloak-mcp:read keycloak-mcp:logout;audience=http://127.0.0.1:8080/mcp'
            """
    )

    @Option(help: "Address to bind.")
    var host = "127.0.0.1"

    @Option(help: "Port to bind; 0 picks a free one.")
    var port = 8080

    @Option(help: "URL prefix: \"\" (Keycloak 17+) or \"/auth\" (older).")
    var basePath = ""

    @Option(name: .customLong("realm"), help: "A realm to create (repeatable).")
    var realms: [String] = []

    @Option(
        name: .customLong("user"),
        help: "REALM:USERNAME[:ID[:PASSWORD]], a user to create (repeatable); the password defaults to the username.")
    var users: [String] = []

    @Option(
        name: .customLong("client"),
        help: """
            REALM:CLIENT_ID:SECRET, a confidential client with a service account (repeatable). \
            In master it holds the admin role (all realms); elsewhere realm-admin of its realm.
            """)
    var clients: [String] = []

    @Option(
        name: .customLong("agent-client"),
        help: """
            REALM:CLIENT_ID:SECRET[;scope=SCOPE SCOPE…][;audience=URL,…][;realm-roles=ROLE,…][;client-roles=CLIENT/ROLE,…], \
            an agent's confidential client for client_credentials (repeatable). scope: its default scopes (default \
            "profile email"); audience: its audience mapper's values, the tokens' aud (left out: aud is "account"; \
            empty: no aud). It holds no admin role.
            """)
    var agentClients: [String] = []

    @Flag(help: "Every realm's JWKS also lists an ES256 signing key.")
    var ecSigningKey = false

    @Option(help: "Online sessions to start for each --user.")
    var sessions = 1

    @Option(help: "Access token lifespan of every realm, e.g. 60s, 5m, 1500ms (default: 60s in master, 300s elsewhere).")
    var tokenLifespan: String?

    @Option(help: "Latency added to every request, e.g. 20ms.")
    var latency: String?

    @Option(help: "PEM certificate chain: serve HTTPS.")
    var tlsCert: String?

    @Option(help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Option(help: "PEM CA certificates: require client certificates issued by them (mutual TLS).")
    var tlsClientCa: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "warning"

    func validate() throws {
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if tlsClientCa != nil && tlsCert == nil { throw ValidationError("--tls-client-ca needs --tls-cert and --tls-key") }
        if !basePath.isEmpty && !basePath.hasPrefix("/") { throw ValidationError("--base-path must start with /") }
        if let tokenLifespan { _ = try Self.duration(tokenLifespan, option: "--token-lifespan") }
        if let latency { _ = try Self.duration(latency, option: "--latency") }
        for user in users where !(2...4).contains(user.split(separator: ":", omittingEmptySubsequences: false).count) {
            throw ValidationError("--user \(user): expected REALM:USERNAME[:ID[:PASSWORD]]")
        }
        for client in clients where client.split(separator: ":", maxSplits: 2).count != 3 {
            throw ValidationError("--client \(client): expected REALM:CLIENT_ID:SECRET")
        }
        for agent in agentClients {
            do {
                _ = try AgentClientSpec(agent)
            } catch {
                throw ValidationError("--agent-client \(error)")
            }
        }
    }

    func run() async throws {
        var logger = Logger(label: "keycloak-emulator")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
        let tls = try tlsCert.map { cert in
            try EmulatorTLS(certificateFile: cert, privateKeyFile: tlsKey!, clientCAFile: tlsClientCa)
        }
        let emulator = KeycloakEmulator(
            configuration: .init(host: host, port: port, basePath: basePath, tls: tls, requestLogLimit: 0),
            logger: logger)
        try seed(emulator)
        let group = ServiceGroup(
            configuration: .init(services: [emulator], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await emulator.waitUntilRunning()
            var banner = "keycloak-emulator listening on \(emulator.url)\(basePath) (admin/admin in master); Ctrl-C stops it\n"
            for spec in try agentClients.map(AgentClientSpec.init) {
                banner += "agent \(spec.client.clientID): issuer \(emulator.issuer(realm: spec.realm))\n"
            }
            FileHandle.standardOutput.write(Data(banner.utf8))
            try await tasks.waitForAll()
        }
    }

    private func seed(_ emulator: KeycloakEmulator) throws {
        let lifespan = try tokenLifespan.map { try Self.duration($0, option: "--token-lifespan") }
        var known: Set<String> = ["master"]
        func ensureRealm(_ name: String) {
            guard known.insert(name).inserted else { return }
            emulator.addRealm(EmulatedRealm(name: name, accessTokenLifespan: lifespan, ecSigningKey: ecSigningKey))
            try? emulator.addClient(.publicClient("admin-cli"), realm: name)
        }
        if lifespan != nil || ecSigningKey {
            emulator.addRealm(EmulatedRealm(name: "master", accessTokenLifespan: lifespan, ecSigningKey: ecSigningKey))
        }
        realms.forEach(ensureRealm)
        for spec in clients {
            let parts = spec.split(separator: ":", maxSplits: 2).map(String.init)
            ensureRealm(parts[0])
            try emulator.addClient(.serviceAccount(parts[1], secret: parts[2], roles: [.admin]), realm: parts[0])
        }
        for text in agentClients {
            let spec = try AgentClientSpec(text)
            ensureRealm(spec.realm)
            try emulator.addClient(spec.client, realm: spec.realm)
        }
        for spec in users {
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            ensureRealm(parts[0])
            let id = try emulator.addUser(
                EmulatedUser(
                    id: parts.count > 2 && !parts[2].isEmpty ? parts[2] : nil, username: parts[1],
                    password: parts.count > 3 ? parts[3] : parts[1]),
                realm: parts[0])
            for _ in 0..<max(0, sessions) { try emulator.addSession(realm: parts[0], userID: id) }
        }
        if let latency { emulator.setLatency(try Self.duration(latency, option: "--latency")) }
    }

    /// `1500ms`, `60s`, `5m`, or a bare number of seconds.
    static func duration(_ text: String, option: String) throws -> Duration {
        let units: [(String, (Int) -> Duration)] = [
            ("ms", { .milliseconds($0) }), ("s", { .seconds($0) }), ("m", { .seconds($0 * 60) }),
        ]
        for (suffix, make) in units where text.hasSuffix(suffix) {
            if let value = Int(text.dropLast(suffix.count)), value >= 0 { return make(value) }
        }
        if let value = Int(text), value >= 0 { return .seconds(value) }
        throw ValidationError("\(option) \(text): expected a duration like 60s, 1500ms or 5m")
    }
}
