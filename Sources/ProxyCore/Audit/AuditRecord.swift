import Foundation

/// One tool call as the audit log keeps it. Never a token or a secret.
public struct AuditRecord: Sendable, Hashable {
    public enum Decision: Sendable, Hashable {
        case allow, deny

        /// The word the audit line writes.
        public var text: StaticString {
            switch self {
            case .allow: "allow"
            case .deny: "deny"
            }
        }
    }

    public enum Outcome: Sendable, Hashable {
        /// The call did what it asked (a dry run included).
        case ok
        /// Policy refused it; nothing was sent to Keycloak for the action.
        case denied
        /// It was allowed but failed (bad argument, unknown user, Keycloak trouble).
        case error
        /// A person was asked to confirm it; nothing was done yet.
        case pending

        /// The word the audit line writes.
        public var text: StaticString {
            switch self {
            case .ok: "ok"
            case .denied: "denied"
            case .error: "error"
            case .pending: "pending"
            }
        }
    }

    /// Seconds since 1970, UTC.
    public var time: Double
    public var requestID: String
    public var agent: String
    public var tool: String
    public var tenant: String?
    public var realm: String?
    public var userID: String?
    public var username: String?
    public var dryRun: Bool
    public var decision: Decision
    public var reason: String?
    public var outcome: Outcome
    public var errorCode: String?
    public var upstreamStatus: Int?
    public var durationMilliseconds: Double
    /// The access token's `sub`, `azp` and `jti`, for an agent that signed in with OAuth.
    public var tokenSubject: String?
    public var tokenAuthorizedParty: String?
    public var tokenID: String?
    /// `confirmed`, `declined`, `invalid`, `required` or `not_needed` (DESIGN.md section 8).
    public var confirmation = "not_needed"
    /// Shared by the records of a call that asked for a confirmation and of its retry.
    public var confirmationID: String?
    /// The call's trace (32 hex digits), when tracing is on (DESIGN.md section 9).
    public var traceID: String?

    /// One JSON object on one line, keys sorted.
    public var jsonLine: String {
        JSONCoding.text(self)
    }

    /// `2026-11-24T21:25:54.123Z`: UTC, millisecond precision, for audit records and JSON logs.
    public static func iso8601(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }
}

extension AuditRecord: Encodable {
    enum CodingKeys: String, CodingKey {
        case agent, decision, outcome, realm, reason, tenant, time, tool, username
        case dryRun = "dry_run"
        case durationMilliseconds = "duration_ms"
        case errorCode = "error_code"
        case requestID = "request_id"
        case upstreamStatus = "upstream_status"
        case userID = "user_id"
        case tokenSubject = "token_sub"
        case tokenAuthorizedParty = "token_azp"
        case tokenID = "token_jti"
        case confirmation
        case confirmationID = "confirmation_id"
        case traceID = "trace_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(agent, forKey: .agent)
        try container.encode(confirmation, forKey: .confirmation)
        try container.encodeIfPresent(confirmationID, forKey: .confirmationID)
        try container.encode(decision.text.description, forKey: .decision)
        if dryRun { try container.encode(true, forKey: .dryRun) }
        // Rounded to the microsecond.
        try container.encode((max(0, durationMilliseconds) * 1000).rounded() / 1000, forKey: .durationMilliseconds)
        try container.encodeIfPresent(errorCode, forKey: .errorCode)
        try container.encode(outcome.text.description, forKey: .outcome)
        try container.encodeIfPresent(realm, forKey: .realm)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encode(requestID, forKey: .requestID)
        try container.encodeIfPresent(tenant, forKey: .tenant)
        try container.encode(Self.iso8601(time), forKey: .time)
        try container.encode(tool, forKey: .tool)
        try container.encodeIfPresent(tokenAuthorizedParty, forKey: .tokenAuthorizedParty)
        try container.encodeIfPresent(tokenID, forKey: .tokenID)
        try container.encodeIfPresent(tokenSubject, forKey: .tokenSubject)
        try container.encodeIfPresent(traceID, forKey: .traceID)
        try container.encodeIfPresent(upstreamStatus, forKey: .upstreamStatus)
        try container.encodeIfPresent(userID, forKey: .userID)
        try container.encodeIfPresent(username, forKey: .username)
    }
}
