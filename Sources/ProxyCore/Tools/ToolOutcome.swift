/// A tool call's result: structured content, rendered as text too, and whether it failed.
public enum ToolOutcome: Sendable, Hashable {
    case success(JSONValue)
    /// `logout_user` succeeded (or its dry run did).
    case loggedOut(LogoutResult)
    case failure(ToolFailure)
    /// Nothing done yet: a person must confirm first (MCP 2026-07-28 `input_required`).
    case inputRequired(ConfirmationRequest)

    /// What goes in the result's `structuredContent`.
    public var structuredContent: JSONValue {
        switch self {
        case .success(let value): value
        case .loggedOut(let result): result.structured
        case .failure(let failure): failure.structured
        case .inputRequired(let request): ["confirmation_required": .string(request.message)]
        }
    }

    /// The text rendering of the structured content: compact JSON, keys sorted.
    public var text: String {
        if case .loggedOut(let result) = self { return JSONCoding.text(result) }
        return structuredContent.jsonText
    }

    public var isError: Bool {
        if case .failure = self { return true }
        return false
    }
}

/// A call that failed for a reason the agent can act on: `isError: true` with
/// `{"error":{"code":...,"message":...,"retryable":...}}`.
public struct ToolFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: ToolErrorCode
    public var message: String
    public var retryable: Bool
    public var tenant: String?
    public var realm: String?
    /// The HTTP status Keycloak answered, when it answered.
    public var upstreamStatus: Int?
    /// Why policy refused the call, when it did.
    public var policyReason: PolicyDenial.Reason?

    public init(
        _ code: ToolErrorCode, _ message: String, retryable: Bool? = nil, tenant: String? = nil, realm: String? = nil,
        upstreamStatus: Int? = nil, policyReason: PolicyDenial.Reason? = nil
    ) {
        self.code = code
        self.message = message
        self.retryable = retryable ?? code.isRetryable
        self.tenant = tenant
        self.realm = realm
        self.upstreamStatus = upstreamStatus
        self.policyReason = policyReason
    }

    public var structured: JSONValue {
        var error: [String: JSONValue] = ["code": .string(code.rawValue), "message": .string(message), "retryable": .bool(retryable)]
        if let tenant { error["tenant"] = .string(tenant) }
        if let realm { error["realm"] = .string(realm) }
        if let upstreamStatus { error["upstream_status"] = .int(upstreamStatus) }
        return ["error": .object(error)]
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// Protocol misuse: an unknown tool or arguments of the wrong shape. The MCP layer answers it
/// with a JSON-RPC error, not a tool result.
public struct ToolCallRejection: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case unknownTool
        case invalidParams
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
