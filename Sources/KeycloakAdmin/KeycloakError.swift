/// Why a call to Keycloak failed, with the context to act on it.
///
/// One value type for every failure, so the proxy can render it once at its edge. It never
/// holds a secret or a token: ``message`` is written by this library and ``upstreamError`` is
/// Keycloak's own error text.
public struct KeycloakError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as the contract strings of DESIGN.md section 3.
    public var code: Code
    /// A sentence for a person: what failed and what to do.
    public var message: String
    /// The realm the call was about, when there is one.
    public var realm: String?
    /// The HTTP status Keycloak answered with, when it answered.
    public var upstreamStatus: Int?
    /// Keycloak's error text (`error_description`, else `error`), when it sent one.
    public var upstreamError: String?
    /// Whether trying the same call again later may succeed.
    public var retryable: Bool

    public init(
        _ code: Code,
        _ message: String,
        realm: String? = nil,
        upstreamStatus: Int? = nil,
        upstreamError: String? = nil,
        retryable: Bool? = nil
    ) {
        self.code = code
        self.message = message
        self.realm = realm
        self.upstreamStatus = upstreamStatus
        self.upstreamError = upstreamError.map { Self.truncated($0) }
        self.retryable = retryable ?? code.isRetryableByDefault
    }

    /// `upstream_forbidden: … (realm "customers", Keycloak 403: HTTP 403 Forbidden)`.
    public var description: String {
        var details: [String] = []
        if let realm { details.append("realm \"\(realm)\"") }
        switch (upstreamStatus, upstreamError) {
        case (let status?, let text?): details.append("Keycloak \(status): \(text)")
        case (let status?, nil): details.append("Keycloak \(status)")
        case (nil, let text?): details.append("Keycloak: \(text)")
        case (nil, nil): break
        }
        let suffix = details.isEmpty ? "" : " (" + details.joined(separator: ", ") + ")"
        return "\(code.rawValue): \(message)\(suffix)"
    }

    private static func truncated(_ text: String) -> String {
        text.count <= 300 ? text : String(text.prefix(300)) + "…"
    }
}
