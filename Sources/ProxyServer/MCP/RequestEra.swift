public import ProxyCore

/// How the proxy answers one request: as the revisions with `initialize` do, or as a stateless
/// MCP 2026-07-28 request, whose version and client capabilities it carries in `params._meta`.
public enum RequestEra: Sendable, Hashable {
    case legacy
    case modern(ModernRequest)

    /// What a 2026-07-28 request says about itself in `params._meta`.
    public struct ModernRequest: Sendable, Hashable {
        public var version: String
        /// The client's capabilities for this request alone (`{}`: none of the optional ones).
        public var clientCapabilities: JSONValue
        /// The client's name and version, when it sent them.
        public var clientInfo: JSONValue?
    }

    /// The era of a request for `method` with `params`, checked against the Streamable HTTP
    /// `headers` (nil on stdio) in the order of the 2026-07-28 revision: the `_meta` envelope
    /// (-32602), the headers against the body (-32020), the version (-32022), then the
    /// arguments a tool mirrors into `Mcp-Param-*` headers (-32020). The error answers the request.
    ///
    /// A request without a version in `_meta` belongs to the era of `initialize` (over HTTP
    /// only when its `MCP-Protocol-Version` header is absent, as the revision lets a server
    /// assume, or names an earlier revision).
    static func of(method: String, params: JSONValue?, headers: MCPRequestHeaders?) -> Result<RequestEra, JSONRPCError> {
        let meta = params?["_meta"]
        guard let metaVersion = meta?[ProtocolRevision.versionKey] else {
            return legacy(headers)
        }
        guard case .string(let version) = metaVersion else {
            return .failure(.invalidParams("params._meta[\"\(ProtocolRevision.versionKey)\"] must be a string"))
        }
        guard case .object? = meta?[ProtocolRevision.clientCapabilitiesKey] else {
            return .failure(
                .invalidParams("params._meta[\"\(ProtocolRevision.clientCapabilitiesKey)\"] must be an object ({} when the client has none)"))
        }
        if let headers {
            if let mismatch = headerMismatch(headers, method: method, params: params, version: version) { return .failure(mismatch) }
        }
        guard ProtocolRevision.modern.contains(version) else {
            return .failure(.unsupportedProtocolVersion(version))
        }
        if let headers, method == "tools/call", let mismatch = parameterMismatch(headers, params: params) {
            return .failure(mismatch)
        }
        return .success(
            .modern(ModernRequest(version: version, clientCapabilities: meta?[ProtocolRevision.clientCapabilitiesKey] ?? [:],
                                  clientInfo: meta?[ProtocolRevision.clientInfoKey])))
    }

    /// A request without `_meta` version: legacy, unless its header names a version that is not.
    private static func legacy(_ headers: MCPRequestHeaders?) -> Result<RequestEra, JSONRPCError> {
        guard let versions = headers?.protocolVersion, !versions.isEmpty else { return .success(.legacy) }
        guard versions.count == 1, let version = versions.first else {
            return .failure(.headerMismatch("MCP-Protocol-Version was sent \(versions.count) times"))
        }
        if ProtocolRevision.legacy.contains(version) { return .success(.legacy) }
        if ProtocolRevision.modern.contains(version) {
            return .failure(
                .invalidParams(
                    "a \(version) request carries params._meta with \"\(ProtocolRevision.versionKey)\" and \"\(ProtocolRevision.clientCapabilitiesKey)\""))
        }
        return .failure(.unsupportedProtocolVersion(version))
    }

    /// The first of `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name` that is missing, sent
    /// twice, or says something other than the body.
    private static func headerMismatch(_ headers: MCPRequestHeaders, method: String, params: JSONValue?, version: String) -> JSONRPCError? {
        if let mismatch = compare("MCP-Protocol-Version", headers.protocolVersion, version, decoding: false) { return mismatch }
        if let mismatch = compare("Mcp-Method", headers.method, method, decoding: false) { return mismatch }
        let nameKey: String? =
            switch method {
            case "tools/call", "prompts/get": "name"
            case "resources/read": "uri"
            default: nil
            }
        if let nameKey {
            guard case .string(let name)? = params?[nameKey] else {
                return .invalidParams("\(method) needs params.\(nameKey) as a string")
            }
            if let mismatch = compare("Mcp-Name", headers.name, name, decoding: true) { return mismatch }
        }
        return nil
    }

    /// `Mcp-Param-{Name}` against each argument the tool mirrors: present exactly when the
    /// argument is (and not null), and equal to it.
    private static func parameterMismatch(_ headers: MCPRequestHeaders, params: JSONValue?) -> JSONRPCError? {
        guard case .string(let tool)? = params?["name"], let name = ToolName(rawValue: tool) else { return nil }
        for (argument, header) in name.headerArguments.sorted(by: { $0.key < $1.key }) {
            let values = headers.parameters[header.lowercased()] ?? []
            let field = "Mcp-Param-\(header)"
            switch params?["arguments"]?[argument] {
            case nil, .null?:
                if !values.isEmpty {
                    return .headerMismatch("\(field) was sent, but the call has no \(argument) argument")
                }
            case let value?:
                guard let text = headerText(value) else { continue }  // the wrong type: the tool's own check answers it
                if let mismatch = compare(field, values, text, decoding: true) { return mismatch }
            }
        }
        return nil
    }

    /// How a client writes `value` in a header: a string as it is, an integer in decimal, a
    /// boolean as `true`/`false`.
    private static func headerText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): text
        case .int(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        default: nil
        }
    }

    private static func compare(_ field: String, _ values: [String], _ body: String, decoding: Bool) -> JSONRPCError? {
        guard let value = values.first else { return .headerMismatch("the \(field) header is missing; the body says '\(body)'") }
        guard values.count == 1 else { return .headerMismatch("\(field) was sent \(values.count) times") }
        guard let decoded = decoding ? MCPRequestHeaders.decode(value) : value else {
            return .headerMismatch("the \(field) header has characters a header value cannot carry unencoded")
        }
        guard decoded == body else {
            return .headerMismatch("\(field) header value '\(value)' does not match body value '\(body)'")
        }
        return nil
    }
}
