import Foundation
import Crypto
public import ProxyCore

/// Decides who an HTTP request comes from, by its `Authorization` header.
///
/// With an `agents:` section, the request needs `Authorization: Bearer <token>` whose SHA-256
/// equals one agent's `token_sha256`. Every agent's digest is compared in full, whichever
/// matches, so the time taken tells nothing about which agents exist or how close a guess was.
/// Without one, callers are anonymous, and only on a loopback listener.
public struct BearerAuthenticator: Sendable {
    private let agents: [AgentConfig]?
    private let anonymousAllowed: Bool

    /// `agents`: the config's agents section (nil: none); `listenIsLoopback`: whether anonymous
    /// callers may be served.
    public init(agents: [AgentConfig]?, listenIsLoopback: Bool) {
        self.agents = agents
        self.anonymousAllowed = agents == nil && listenIsLoopback
    }

    /// The caller, or nil when the request must be refused with 401.
    public func caller(authorization: String?) -> Caller? {
        guard let agents else { return anonymousAllowed ? .anonymous : nil }
        guard let token = Self.bearerToken(authorization) else { return nil }
        let digest = Array(SHA256.hash(data: Array(token.utf8)))
        var match = -1
        for (index, agent) in agents.enumerated() {
            let equal = Self.constantTimeEqual(digest, agent.tokenSHA256)
            // Keep looking after a match: the loop takes as long whoever the token belongs to.
            match = equal && match < 0 ? index : match
        }
        return match >= 0 ? Caller(agent: agents[match]) : nil
    }

    /// `Bearer <token>` (scheme case-insensitive) → the token; nil for anything else.
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else { return nil }
        let token = trimmed.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, !token.contains(where: \.isWhitespace) else { return nil }
        return token
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
