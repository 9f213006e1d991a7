import Crypto
import Foundation
import Synchronization

/// Issues and redeems confirmation states: JSON claims (id, agent, tool, a digest of the
/// arguments, the user, an expiry) and their HMAC-SHA256 under the state key, both base64url,
/// joined by a dot. A state is redeemed once; this process remembers the ids it redeemed until
/// they expire, so replicas that share the key do not share that memory (a state can be used
/// once per replica).
public final class ConfirmationKeeper: Sendable {
    /// How long a person has to answer.
    public static let lifetime = Duration.seconds(300)

    private let key: SymmetricKey
    private let redeemed = Mutex<[String: Date]>([:])

    /// A keeper with `key` (`server.state_key_file`), or a random key of this process.
    public init(key: StateKey?) {
        self.key = key.map { SymmetricKey(data: $0.bytes) } ?? SymmetricKey(size: .bits256)
    }

    struct Claims: Codable, Equatable {
        var id: String
        var agent: String
        var tool: String
        /// SHA-256 of the call's arguments as canonical JSON, hex.
        var arguments: String
        var tenant: String
        var realm: String
        var userID: String
        /// Epoch seconds.
        var expires: Int64

        enum CodingKeys: String, CodingKey {
            case id, agent, tool, arguments, tenant, realm, expires
            case userID = "user_id"
        }
    }

    /// A state for `claims`.
    func issue(_ claims: Claims) -> String {
        let payload = JSONCoding.encode(claims)
        let mac = HMAC<SHA256>.authenticationCode(for: payload, using: key)
        return Self.base64URL(payload) + "." + Self.base64URL(Data(mac))
    }

    /// Why a state is refused.
    enum Invalid: Error, Equatable, CustomStringConvertible {
        case malformed, tampered, expired, used, otherAgent, otherTool, otherArguments, otherTenant

        var description: String {
            switch self {
            case .malformed: "the confirmation state is not one this proxy issued"
            case .tampered: "the confirmation state was changed or signed with another key"
            case .expired: "the confirmation expired; call the tool again to ask anew"
            case .used: "the confirmation was used already; call the tool again to ask anew"
            case .otherAgent: "the confirmation was issued to another agent"
            case .otherTool: "the confirmation was issued for another tool"
            case .otherArguments: "the confirmation was issued for other arguments"
            case .otherTenant: "the confirmation was issued for another tenant or realm"
            }
        }
    }

    /// The claims of `state` when it is this key's, unexpired, not used yet, and issued to
    /// `agent` for `tool` with `arguments` on `tenant` and `realm`. It stays unused until
    /// ``consume(_:)``.
    func verify(
        _ state: String, agent: String, tool: String, arguments: String, tenant: String, realm: String, now: Date = Date()
    ) -> Result<Claims, Invalid> {
        let parts = state.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let payload = Self.data(base64URL: parts[0]), let mac = Self.data(base64URL: parts[1]) else {
            return .failure(.malformed)
        }
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: payload, using: key) else { return .failure(.tampered) }
        guard let claims = try? JSONCoding.decode(Claims.self, from: payload) else { return .failure(.malformed) }
        guard Double(claims.expires) > now.timeIntervalSince1970 else { return .failure(.expired) }
        guard claims.agent == agent else { return .failure(.otherAgent) }
        guard claims.tool == tool else { return .failure(.otherTool) }
        guard claims.arguments == arguments else { return .failure(.otherArguments) }
        guard claims.tenant == tenant, claims.realm == realm else { return .failure(.otherTenant) }
        guard redeemed.withLock({ $0[claims.id] == nil }) else { return .failure(.used) }
        return .success(claims)
    }

    /// Uses up the state of `claims`: true the first time, false when it was used already
    /// (two retries with the same state racing).
    func consume(_ claims: Claims, now: Date = Date()) -> Bool {
        redeemed.withLock { redeemed in
            // Forget what has expired: those states are refused for their expiry anyway.
            if redeemed.count > 1024 { redeemed = redeemed.filter { $0.value > now } }
            guard redeemed[claims.id] == nil else { return false }
            redeemed[claims.id] = Date(timeIntervalSince1970: Double(claims.expires))
            return true
        }
    }

    /// SHA-256 of `arguments` as JSON with sorted keys, in hex: what a state binds.
    static func digest(_ arguments: [String: JSONValue]) -> String {
        SHA256.hash(data: JSONCoding.encode(JSONValue.object(arguments))).map { String(format: "%02x", $0) }.joined()
    }

    private static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func data(base64URL text: Substring) -> Data? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
