public import Logging
import Foundation
import NIOHTTP1
public import Tracing

/// Talks to one Keycloak (one tenant) with its own connection pool and cached admin token.
///
/// ```swift
/// let client = try KeycloakAdminClient(settings: settings, logger: logger)
/// try await client.logout(realm: "customers", userID: id)
/// try await client.shutdown()   // always, before the client goes away
/// ```
///
/// Every call validates its realm, id or username and percent-encodes it as exactly one path
/// segment (or query value) before any request leaves; it fails with a ``KeycloakError``.
/// On a 401 from the admin API the token is dropped (if still current), a new one fetched, and
/// the call retried once.
public final class KeycloakAdminClient: Sendable {
    /// The settings this client was made with.
    public let settings: ConnectionSettings
    let upstream: UpstreamClient
    let logger: Logger
    let tokens: TokenCache
    let tokenFetch: TokenFetch
    /// The base path without a trailing slash: `""` or e.g. `"/auth"`.
    let normalizedBasePath: String

    /// - Parameters:
    ///   - settings: the tenant's URL, base path, credentials, pool, timeouts and TLS.
    ///   - logger: for debug lines about token fetches; never receives a secret.
    ///   - onTokenEvent: called after every token fetch, with its outcome (for metrics).
    ///   - onRetry: called each time a request goes again because Keycloak (or something in
    ///     between) closed or reset its connection before answering it (for metrics).
    ///   - tracer: with one, each request is a client span (a child of the task's
    ///     `ServiceContext`) that Keycloak hears of in `traceparent`, and a token fetch is a span
    ///     of its own; nil: no spans, not even no-op ones.
    /// - Throws: `invalid_argument` when the URL, the base path, the token realm or a TLS file is
    ///   unusable. Nothing is sent yet: the first token is fetched by the first call (or ``probe()``).
    public init(
        settings: ConnectionSettings,
        logger: Logger,
        onTokenEvent: (@Sendable (TokenEvent) -> Void)? = nil,
        tracer: (any Tracer)? = nil,
        onRetry: (@Sendable () -> Void)? = nil
    ) throws(KeycloakError) {
        let url = settings.url.hasSuffix("/") ? String(settings.url.dropLast()) : settings.url
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https", parsed.host?.isEmpty == false
        else {
            throw KeycloakError(.invalidArgument, "url \"\(settings.url)\" is not an http(s) URL with a host")
        }
        guard parsed.path.isEmpty || parsed.path == "/", parsed.query == nil, parsed.user == nil else {
            throw KeycloakError(
                .invalidArgument, "url \"\(settings.url)\" must be scheme, host and port only; put a prefix in base_path")
        }
        _ = try PathSegment(settings.auth.realm, argument: "auth.realm")
        let basePath = settings.basePath.hasSuffix("/") ? String(settings.basePath.dropLast()) : settings.basePath
        guard basePath.isEmpty || basePath.hasPrefix("/") else {
            throw KeycloakError(.invalidArgument, "base_path \"\(settings.basePath)\" must be empty or start with /")
        }
        let origin = scheme + "://" + (parsed.host.map { $0.contains(":") && !$0.hasPrefix("[") ? "[" + $0 + "]" : $0 } ?? "")
            + (parsed.port.map { ":" + String($0) } ?? "")
        let upstream = try UpstreamClient(origin: origin, settings: settings, tracer: tracer) { [logger] in
            logger.debug("Keycloak closed the connection before answering; sending the request once more")
            onRetry?()
        }
        self.settings = settings
        self.logger = logger
        self.normalizedBasePath = basePath
        self.upstream = upstream
        let fetch = TokenFetch(upstream: upstream, settings: settings, logger: logger)
        self.tokenFetch = fetch
        self.tokens = TokenCache(
            fetcher: { () async throws(KeycloakError) -> TokenCache.Fetched in
                guard let tracer else { return try await fetch.fetch(basePath: basePath) }
                return try await fetch.traced(by: tracer, basePath: basePath)
            },
            onEvent: onTokenEvent
        )
    }

    /// Waits for a token fetch in flight, then closes the connection pool. Call it exactly once.
    public func shutdown() async throws {
        await tokens.drain()
        await upstream.shutdown()
    }

    /// `{base_path}/admin/realms/{realm}{rest...}`, made in one string: the path (and query) of
    /// an admin API request, its parts already percent-encoded.
    func adminPath(_ realm: PathSegment, _ rest: String, _ more: String = "", _ last: String = "") -> String {
        var path = ""
        path.reserveCapacity(
            normalizedBasePath.utf8.count + 14 + realm.encoded.utf8.count + rest.utf8.count + more.utf8.count + last.utf8.count)
        path += normalizedBasePath
        path += "/admin/realms/"
        path += realm.encoded
        path += rest
        path += more
        path += last
        return path
    }

    /// Sends an admin API request (`path`, with any query, from ``adminPath(_:_:_:_:)``) with the cached token;
    /// on 401, retries once with a new one. `template` is the path with its variable parts
    /// named, for its span. `idempotent` says a request whose method is not safe may be sent
    /// again (see ``UpstreamRequest/idempotent``).
    func authorized(
        _ method: HTTPMethod, realm: String, path url: String, template: StaticString, idempotent: Bool = false
    ) async throws(KeycloakError) -> UpstreamResponse {
        let token = try await tokens.token()
        let response = try await send(method, url: url, template: template, token: token, realm: realm, idempotent: idempotent)
        guard response.status == 401 else { return response }
        logger.debug("admin token refused; fetching a new one and retrying once", metadata: ["realm": "\(realm)"])
        await tokens.invalidate(token)
        let fresh = try await tokens.token()
        return try await send(method, url: url, template: template, token: fresh, realm: realm, idempotent: idempotent)
    }

    private func send(
        _ method: HTTPMethod, url path: String, template: StaticString, token: AdminToken, realm: String, idempotent: Bool
    ) async throws(KeycloakError) -> UpstreamResponse {
        let headers: HTTPHeaders = ["Authorization": "Bearer " + token.value.revealed, "Accept": "application/json"]
        let request = UpstreamRequest(method, path: path, template: template, headers: headers, idempotent: idempotent)
        return try await upstream.send(request, timeout: settings.timeouts.request, realm: realm)
    }
}
