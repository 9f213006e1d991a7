/// `server.oauth`: the authorization servers whose access tokens agents sign in with
/// (DESIGN.md section 7).
public struct OAuthSettings: Sendable, Hashable {
    /// One authorization server: its exact `iss`, and where its keys are.
    public struct Issuer: Sendable, Hashable {
        /// The `iss` its tokens carry; discovery is `{issuer}/.well-known/openid-configuration`.
        public var issuer: String
        /// Overrides the `jwks_uri` of the discovery document.
        public var jwksURI: String?
        /// A PEM trust root for its HTTPS (an absolute path); nil: the system's.
        public var caFile: String?

        public init(issuer: String, jwksURI: String? = nil, caFile: String? = nil) {
            self.issuer = issuer
            self.jwksURI = jwksURI
            self.caFile = caFile
        }
    }

    public var issuers: [Issuer]
    /// The scope a token needs to call each tool; a tool not listed needs none.
    public var scopes: [ToolName: String]
    /// Clock skew allowed on `exp`, `nbf` and `iat`.
    public var leeway: Duration

    public static let defaultLeeway = Duration.seconds(30)

    public init(issuers: [Issuer], scopes: [ToolName: String] = [:], leeway: Duration = defaultLeeway) {
        self.issuers = issuers
        self.scopes = scopes
        self.leeway = leeway
    }

    /// Whether `host` is `localhost`, in `127.0.0.0/8` or `::1`: the only hosts an issuer or
    /// its keys may be reached at over plain http.
    public static func isLoopback(host: String) -> Bool {
        let bare = (host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host).lowercased()
        if bare == "localhost" || bare == "::1" || bare == "0:0:0:0:0:0:0:1" { return true }
        // A dotted IPv4 address in 127.0.0.0/8, not a name that starts like one.
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127"
            && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) && Int($0)! <= 255 }
    }

    /// Every scope named, sorted and without repeats (`scopes_supported`, the 401 challenge).
    public var allScopes: [String] { Set(scopes.values).sorted() }
}
