import AsyncHTTPClient
import Foundation
import JWTKit
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix
import NIOSSL
import ProxyCore
import Synchronization

/// One issuer's signing keys: found through its discovery document, fetched with a timeout,
/// kept until the next fetch succeeds. One fetch runs at a time however many requests want it,
/// and a fetch for an unknown `kid` starts at most once per ``unknownKeyInterval``.
final class IssuerKeys: Sendable {
    /// The keys of one fetch: jwt-kit's collection, and each usable key's `alg` by `kid`.
    struct KeySet: Sendable {
        let collection: JWTKeyCollection
        let algorithms: [String: String]
    }

    static let unknownKeyInterval = Duration.seconds(30)
    static let refreshInterval = Duration.seconds(600)
    static let fetchTimeout = Duration.seconds(5)
    static let maximumDocumentSize = 1 << 20
    /// The algorithms a token may be signed with: asymmetric ones only, never `none` or HMAC.
    static let allowedAlgorithms: Set<String> = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]

    let settings: OAuthSettings.Issuer
    private let configuration: HTTPClient.Configuration
    /// Made at the first fetch, so keys that are never fetched own no client; nil again (and
    /// never made anew) once shut down.
    private let client = Mutex<(client: HTTPClient?, shutDown: Bool)>((nil, false))
    private let logger: Logger
    private let metrics: ProxyMetrics
    /// Called after each fetch that changed the keys.
    private let onChange: @Sendable () -> Void
    private let state = Mutex(State())

    private struct State {
        var keySet: KeySet?
        var lastAttempt: ContinuousClock.Instant?
        var lastSuccess: ContinuousClock.Instant?
        var failures = 0
        var fetch: Task<KeySet?, Never>?
    }

    /// Keys of `settings`; fetched by ``refresh(unlessWithin:)``, not here. Throws when its
    /// `ca_file` cannot be read.
    init(_ settings: OAuthSettings.Issuer, metrics: ProxyMetrics, logger: Logger, onChange: @escaping @Sendable () -> Void = {}) throws {
        self.metrics = metrics
        self.onChange = onChange
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(5)))
        // An issuer that refuses connections fails the fetch at once, rather than being tried
        // again until the connect timeout while calls wait.
        configuration.connectionPool.retryConnectionEstablishment = false
        if let caFile = settings.caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            configuration.tlsConfiguration = tls
        }
        self.configuration = configuration
        self.settings = settings
        var logger = logger
        logger[metadataKey: "issuer"] = "\(settings.issuer)"
        self.logger = logger
    }

    /// The keys of the last successful fetch.
    var current: KeySet? { state.withLock { $0.keySet } }

    /// Whether the periodic refresh should fetch now: never fetched (retried with backoff up to
    /// a minute), or fetched ``refreshInterval`` ago.
    func isDue(at now: ContinuousClock.Instant) -> Bool {
        state.withLock { state in
            guard state.fetch == nil else { return false }
            guard let last = state.lastAttempt else { return true }
            if state.keySet == nil || state.failures > 0 {
                let backoff = Duration.seconds(min(60, 1 << min(state.failures, 6)))
                return now - last >= backoff
            }
            return now - (state.lastSuccess ?? last) >= Self.refreshInterval
        }
    }

    /// Fetches the keys again unless a fetch began less than `interval` ago; waits for a fetch
    /// already running. The keys as they are afterwards.
    func refresh(unlessWithin interval: Duration) async -> KeySet? {
        enum Decision {
            case wait(Task<KeySet?, Never>)
            case recent(KeySet?)
        }
        let now = ContinuousClock.now
        let decision = state.withLock { state -> Decision in
            if let running = state.fetch { return .wait(running) }
            if let last = state.lastAttempt, now - last < interval { return .recent(state.keySet) }
            state.lastAttempt = now
            let task = Task { await self.fetch() }
            state.fetch = task
            return .wait(task)
        }
        switch decision {
        case .recent(let keys): return keys
        case .wait(let task): return await task.value
        }
    }

    func shutdown() async {
        let made = client.withLock { state -> HTTPClient? in
            defer { state = (nil, true) }
            return state.client
        }
        try? await made?.shutdown()
    }

    private struct ShutDown: Error, CustomStringConvertible {
        var description: String { "the key fetcher was shut down" }
    }

    private func httpClient() throws -> HTTPClient {
        try client.withLock { state in
            if let made = state.client { return made }
            guard !state.shutDown else { throw ShutDown() }
            let made = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
            state.client = made
            return made
        }
    }

    private func fetch() async -> KeySet? {
        let result: KeySet?
        do {
            let keys = try await fetchKeys()
            logger.info("fetched the issuer's signing keys", metadata: ["keys": "\(keys.algorithms.keys.sorted().joined(separator: ","))"])
            result = keys
            metrics.jwksFetch(issuer: settings.issuer, succeeded: true)
        } catch {
            metrics.jwksFetch(issuer: settings.issuer, succeeded: false)
            logger.error("cannot fetch the issuer's signing keys; its tokens are refused until a fetch succeeds", metadata: ["error": "\(error)"])
            result = nil
        }
        let (keys, changed) = state.withLock { state -> (KeySet?, Bool) in
            state.fetch = nil
            var changed = false
            if let result {
                changed = state.keySet?.algorithms != result.algorithms
                state.keySet = result
                state.lastSuccess = .now
                state.failures = 0
            } else {
                state.failures += 1
            }
            return (state.keySet, changed)
        }
        // A key removed: tokens it signed and that were verified before must not pass again.
        if changed { onChange() }
        return keys
    }

    private struct FetchFailure: Error, CustomStringConvertible {
        var description: String
    }

    private struct Discovery: Decodable {
        var issuer: String?
        var jwksURI: String?
        enum CodingKeys: String, CodingKey {
            case issuer
            case jwksURI = "jwks_uri"
        }
    }

    /// Fetches the key set now (discovery, then the JWKS), without keeping it.
    func fetchKeys() async throws -> KeySet {
        // One bound for the whole fetch: discovery and key set together.
        let deadline = NIODeadline.now() + TimeAmount(Self.fetchTimeout)
        var jwksURI = settings.jwksURI
        if jwksURI == nil {
            let url = settings.issuer.hasSuffix("/") ? settings.issuer + ".well-known/openid-configuration" : settings.issuer + "/.well-known/openid-configuration"
            let discovery = try JSONDecoder().decode(Discovery.self, from: try await get(url, deadline: deadline))
            guard discovery.issuer == settings.issuer else {
                throw FetchFailure(description: "the discovery document names issuer \(discovery.issuer ?? "none"), not \(settings.issuer)")
            }
            jwksURI = discovery.jwksURI
        }
        let scheme = jwksURI.flatMap { URLComponents(string: $0)?.scheme?.lowercased() }
        guard let jwksURI, let host = URLComponents(string: jwksURI)?.host,
            scheme == "https" || (scheme == "http" && OAuthSettings.isLoopback(host: host))
        else {
            throw FetchFailure(description: "the jwks_uri \(jwksURI ?? "(none)") is not an https URL")
        }
        let document = try JSONCoding.decode(JSONValue.self, from: try await get(jwksURI, deadline: deadline))
        guard case .array(let keys)? = document["keys"] else { throw FetchFailure(description: "the key set has no keys array") }
        let collection = JWTKeyCollection()
        var algorithms: [String: String] = [:]
        for key in keys {
            guard case .string(let kid)? = key["kid"] else { continue }
            // An encryption key (Keycloak lists an RSA-OAEP one) never verifies a signature.
            if key["use"] == .string("enc") { continue }
            // The algorithm is the key's, never the token header's: a key that names none gets
            // the one its type implies (RS256, ES256, ES384, EdDSA), so that a forged header
            // cannot make jwt-kit build (and keep) a signer of its choosing for it.
            var key = key
            let algorithm: String
            if case .string(let alg)? = key["alg"] {
                algorithm = alg
            } else if let implied = Self.impliedAlgorithm(of: key) {
                algorithm = implied
                if case .object(var members) = key {
                    members["alg"] = .string(implied)
                    key = .object(members)
                }
            } else {
                continue
            }
            guard Self.allowedAlgorithms.contains(algorithm) else { continue }
            do {
                let jwk = try JSONDecoder().decode(JWK.self, from: JSONCoding.encode(key))
                try await collection.add(jwk: jwk)
                algorithms[kid] = algorithm
            } catch {
                logger.warning("skipped a key the proxy cannot read", metadata: ["kid": "\(kid)", "error": "\(error)"])
            }
        }
        return KeySet(collection: collection, algorithms: algorithms)
    }

    /// The algorithm a key that names none is used with, by its type and curve.
    static func impliedAlgorithm(of key: JSONValue) -> String? {
        switch (key["kty"], key["crv"]) {
        case (.string("RSA")?, _): "RS256"
        case (.string("EC")?, .string("P-256")?): "ES256"
        case (.string("EC")?, .string("P-384")?): "ES384"
        case (.string("OKP")?, .string("Ed25519")?): "EdDSA"
        default: nil
        }
    }

    private func get(_ url: String, deadline: NIODeadline) async throws -> Data {
        let response = try await httpClient().execute(HTTPClientRequest(url: url), deadline: deadline, logger: logger)
        guard response.status == .ok else { throw FetchFailure(description: "\(url) answered \(response.status.code)") }
        let body = try await response.body.collect(upTo: Self.maximumDocumentSize)
        return Data(buffer: body, byteTransferStrategy: .noCopy)
    }

}
