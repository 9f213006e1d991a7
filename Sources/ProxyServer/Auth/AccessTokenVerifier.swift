import Foundation
import JWTKit
public import Logging
public import ProxyCore
public import ServiceLifecycle
import Synchronization

/// Validates agents' access tokens locally, as DESIGN.md section 7 says: the signature with
/// jwt-kit against the issuer's key set (fetched at start, every 10 minutes, and again for an
/// unknown `kid` at most once per 30 s), then `iss`, `exp`/`nbf`/`iat` with the leeway, `aud`
/// naming `server.public_url`, and `typ` when present.
///
/// A `Service`: it fetches the issuers' keys at start and keeps them fresh; an issuer down at
/// start is retried with backoff (looked at every 5 s) while its tokens get 401, and each
/// token that needs its keys may fetch them too, at most once per 30 s. ``configure(_:audience:)``
/// follows a reload.
public final class AccessTokenVerifier: Service, Sendable {
    /// Longer tokens are refused before they are parsed.
    static let maximumTokenSize = 16 * 1024

    private let logger: Logger
    private let metrics: ProxyMetrics
    private let issuers = Mutex<[String: IssuerKeys]>([:])
    /// Tokens already verified, so that an agent's next calls with the same token cost a hash.
    private let verified = VerifiedTokens()
    /// The settings the verified tokens were checked against.
    private let configured = Mutex<(settings: OAuthSettings?, audience: String?)>((nil, nil))

    /// Fetches and failures are counted in `metrics`, and so is each token's result.
    public init(metrics: ProxyMetrics = .system, logger: Logger) {
        self.metrics = metrics
        self.logger = logger
    }

    /// For `check --probe`: fetches `issuer`'s discovery document and key set once. A line that
    /// says what was found, and whether the issuer can be used.
    public static func probe(_ issuer: OAuthSettings.Issuer, logger: Logger) async -> (line: String, ok: Bool) {
        let keys: IssuerKeys
        do {
            keys = try IssuerKeys(issuer, metrics: .system, logger: logger)
        } catch {
            return ("probe issuer \(issuer.issuer): failed: cannot read its ca_file: \(error)", false)
        }
        let result: (line: String, ok: Bool)
        do {
            let set = try await keys.fetchKeys()
            let listed = set.algorithms.keys.sorted().map { kid in "\(kid) (\(set.algorithms[kid] ?? ""))" }
            result =
                listed.isEmpty
                ? ("probe issuer \(issuer.issuer): failed: its key set has no signing key the proxy can use", false)
                : ("probe issuer \(issuer.issuer): ok: \(listed.count) signing key\(listed.count == 1 ? "" : "s"): \(listed.joined(separator: ", "))", true)
        } catch {
            result = ("probe issuer \(issuer.issuer): failed: \(error)", false)
        }
        await keys.shutdown()
        return result
    }

    /// Follows the issuers of `settings`: new ones are fetched by the next refresh (or the
    /// first token that needs them), removed ones are dropped. Tokens verified against other
    /// settings or another `audience` (`server.public_url`) are forgotten.
    public func configure(_ settings: OAuthSettings?, audience: String?) {
        let changed = configured.withLock { configured in
            defer { configured = (settings, audience) }
            return configured.settings != settings || configured.audience != audience
        }
        if changed { verified.clear() }
        let wanted = settings?.issuers ?? []
        let retired = issuers.withLock { issuers -> [IssuerKeys] in
            var retired: [IssuerKeys] = []
            for (name, keys) in issuers where !wanted.contains(keys.settings) {
                retired.append(keys)
                issuers[name] = nil
            }
            for issuer in wanted where issuers[issuer.issuer] == nil {
                do {
                    issuers[issuer.issuer] = try IssuerKeys(issuer, metrics: metrics, logger: logger) { [verified] in verified.clear() }
                } catch {
                    logger.error("cannot read the issuer's ca_file", metadata: ["issuer": "\(issuer.issuer)", "error": "\(error)"])
                }
            }
            return retired
        }
        if !retired.isEmpty {
            Task { for keys in retired { await keys.shutdown() } }
        }
    }

    /// Fetches every issuer's keys when due, until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let now = ContinuousClock.now
                let due = self.issuers.withLock { $0.values.filter { $0.isDue(at: now) } }
                await withDiscardingTaskGroup { group in
                    for keys in due { group.addTask { _ = await keys.refresh(unlessWithin: .zero) } }
                }
                try? await Task.sleep(for: .seconds(5))
            }
        }
        let all = issuers.withLock { issuers in
            defer { issuers = [:] }
            return Array(issuers.values)
        }
        for keys in all { await keys.shutdown() }
    }

    /// Who `token` comes from, or why it is refused (counted, and logged at debug level).
    func identity(of token: String, settings: OAuthSettings, audience: String) async -> Result<TokenIdentity, TokenRejection> {
        let result = await validate(token, settings: settings, audience: audience)
        switch result {
        case .success:
            metrics.accessToken(result: "ok")
        case .failure(let rejection):
            metrics.accessToken(result: rejection.code)
            logger.debug("access token refused", metadata: ["reason": "\(rejection)"])
        }
        return result
    }

    private func validate(_ token: String, settings: OAuthSettings, audience: String) async -> Result<TokenIdentity, TokenRejection> {
        let bytes = Array(token.utf8)
        guard bytes.count <= Self.maximumTokenSize else { return .failure(.tooLong(bytes: bytes.count)) }
        let now = Date()
        if let identity = verified.identity(of: bytes, now: now) { return .success(identity) }
        let header: JWTHeader
        let unverified: AccessTokenClaims
        do {
            (header, unverified, _) = try DefaultJWTParser().parse(bytes, as: AccessTokenClaims.self)
        } catch {
            return .failure(.malformed)
        }
        guard let algorithm = header.alg, IssuerKeys.allowedAlgorithms.contains(algorithm) else {
            return .failure(.algorithmNotAllowed(header.alg))
        }
        guard let kid = header.kid else { return .failure(.missingKeyID) }
        let issuer = unverified.iss.value
        guard settings.issuers.contains(where: { $0.issuer == issuer }), let keys = issuers.withLock({ $0[issuer] }) else {
            return .failure(.unknownIssuer)
        }
        var keySet = keys.current
        if keySet?.algorithms[kid] == nil {
            keySet = await keys.refresh(unlessWithin: IssuerKeys.unknownKeyInterval)
        }
        guard let keySet else { return .failure(.keysUnavailable) }
        guard let keyAlgorithm = keySet.algorithms[kid] else { return .failure(.unknownKey) }
        guard keyAlgorithm == algorithm else { return .failure(.algorithmDiffersFromKey) }
        let claims: AccessTokenClaims
        do {
            claims = try await keySet.collection.verify(bytes, as: AccessTokenClaims.self)
        } catch {
            return .failure(.badSignature)
        }
        switch Self.check(claims, issuer: issuer, audience: audience, leeway: settings.leeway, now: now) {
        case .failure(let rejection):
            return .failure(rejection)
        case .success:
            let identity = claims.identity
            if let expiry = claims.exp?.value {
                verified.remember(bytes, as: identity, until: expiry.addingTimeInterval(Self.seconds(settings.leeway)), now: now)
            }
            return .success(identity)
        }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        TimeInterval(duration.components.seconds) + TimeInterval(duration.components.attoseconds) / 1e18
    }

    /// The claims' checks, apart from the signature.
    static func check(_ claims: AccessTokenClaims, issuer: String, audience: String, leeway: Duration, now: Date) -> Result<Void, TokenRejection> {
        let skew = seconds(leeway)
        guard claims.iss.value == issuer else { return .failure(.unknownIssuer) }
        guard let expiry = claims.exp?.value else { return .failure(.missingExpiry) }
        guard now.timeIntervalSince(expiry) <= skew else { return .failure(.expired) }
        if let notBefore = claims.nbf?.value, notBefore.timeIntervalSince(now) > skew { return .failure(.notYetValid) }
        if let issuedAt = claims.iat?.value, issuedAt.timeIntervalSince(now) > skew { return .failure(.issuedInTheFuture) }
        guard claims.aud?.value.contains(audience) == true else { return .failure(.wrongAudience) }
        if let typ = claims.typ, typ != "Bearer" { return .failure(.notAnAccessToken(typ)) }
        return .success(())
    }
}
