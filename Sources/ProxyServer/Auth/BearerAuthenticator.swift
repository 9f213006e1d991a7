import Foundation
import Crypto
public import ProxyCore

/// Decides who an HTTP request comes from, by its `Authorization` header (never a query
/// parameter or a body field).
///
/// With an `agents:` section, the request needs `Authorization: Bearer <token>`: a static
/// token whose SHA-256 equals one agent's `token_sha256` (every agent's digest is compared in
/// full, whichever matches, so the time taken tells nothing about which agents exist), or,
/// with `server.oauth`, an access token that ``AccessTokenVerifier`` accepts and that the first
/// agent in file order whose `oauth` match holds claims. Without one, callers are anonymous,
/// and only on a loopback listener.
public struct BearerAuthenticator: Sendable {
    /// What a request's `Authorization` header comes to.
    public enum Outcome: Sendable, Hashable {
        case caller(Caller)
        /// 401: no usable token; `invalidToken` when one was sent and refused.
        case unauthorized(invalidToken: Bool)
        /// 403: a valid access token that no agent claims.
        case unmapped
    }

    private let agents: [AgentConfig]?
    private let anonymousAllowed: Bool
    private let resource: ProtectedResource?
    private let verifier: AccessTokenVerifier?

    /// `agents`: the config's agents section (nil: none); `listenIsLoopback`: whether anonymous
    /// callers may be served; `resource` and `verifier`: for access tokens (`server.oauth`).
    public init(agents: [AgentConfig]?, listenIsLoopback: Bool, resource: ProtectedResource? = nil, verifier: AccessTokenVerifier? = nil) {
        self.agents = agents
        self.anonymousAllowed = agents == nil && listenIsLoopback
        self.resource = resource
        self.verifier = verifier
    }

    /// Who sent a request with this `Authorization` header.
    public func authenticate(authorization: String?) async -> Outcome {
        guard let agents else { return anonymousAllowed ? .caller(.anonymous) : .unauthorized(invalidToken: false) }
        guard let token = Self.bearerToken(authorization) else { return .unauthorized(invalidToken: false) }
        if let agent = staticAgent(token, among: agents) { return .caller(Caller(agent: agent)) }
        guard let resource, let verifier else { return .unauthorized(invalidToken: true) }
        switch await verifier.identity(of: token, settings: resource.oauth, audience: resource.url) {
        case .failure:
            return .unauthorized(invalidToken: true)
        case .success(let identity):
            guard let agent = agents.first(where: { $0.oauth?.matches(identity) == true }) else { return .unmapped }
            return .caller(Caller(agent: agent, token: identity))
        }
    }

    private func staticAgent(_ token: String, among agents: [AgentConfig]) -> AgentConfig? {
        let digest = Array(SHA256.hash(data: Array(token.utf8)))
        var match = -1
        for (index, agent) in agents.enumerated() {
            guard let hash = agent.tokenSHA256 else { continue }
            let equal = Self.constantTimeEqual(digest, hash)
            // Keep looking after a match: the loop takes as long whoever the token belongs to.
            match = equal && match < 0 ? index : match
        }
        return match >= 0 ? agents[match] : nil
    }

    /// `Bearer <token>` (scheme case-insensitive) → the token; nil for anything else: no
    /// token, or one with a space or a control character inside. Read as UTF-8 bytes: an
    /// access token is over a kilobyte, and walking it as `Character`s cost more than the call.
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let isBlank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        var bytes = Substring(header).utf8[...]
        while let first = bytes.first, isBlank(first) { bytes = bytes.dropFirst() }
        while let last = bytes.last, isBlank(last) { bytes = bytes.dropLast() }
        let scheme = bytes.prefix(7)
        guard bytes.count > 7, scheme.elementsEqual("bearer ".utf8, by: { ($0 | 0x20) == $1 }) else { return nil }
        var token = bytes.dropFirst(7)
        while let first = token.first, isBlank(first) { token = token.dropFirst() }
        guard !token.isEmpty, token.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else { return nil }
        return String(Substring(token))
    }

    /// Compares every byte, whatever the first difference.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices {
            difference |= a[index] ^ b[index]
        }
        return difference == 0
    }
}
