import Crypto
import KeycloakAdmin
import YAML

/// Checks a decoded ``ConfigFile`` against the rules of the config format and builds the
/// ``ProxyConfig``, collecting every problem instead of stopping at the first.
struct ConfigValidator {
    let fileName: String
    let directory: String
    let files: FileAccess
    private(set) var errors: [ConfigError] = []
    private(set) var warnings: [ConfigError] = []
    /// What the validated config keeps of the file's text, one copy of each.
    var kept = ConfigInterner()

    init(fileName: String, directory: String, files: FileAccess) {
        self.fileName = fileName
        self.directory = directory
        self.files = files
    }

    mutating func validate(_ file: ConfigFile) -> ProxyConfig? {
        if file.version.value != 1 {
            fail(file.version, "unsupported version \(file.version.value); this proxy reads version 1")
        }
        let server = validateServer(file.server)
        var tenants: [TenantConfig] = []
        if file.tenants.value.entries.isEmpty {
            fail(file.tenants, "at least one tenant is required")
        }
        for entry in file.tenants.value.entries {
            if let tenant = validateTenant(name: entry.name, entry.value) { tenants.append(tenant) }
        }
        // The listener's backstop cutting calls short of their own, per-tenant timeout.
        if let slowest = tenants.max(by: { $0.connection.timeouts.request < $1.connection.timeouts.request }),
            server.responseTimeout <= slowest.connection.timeouts.request
        {
            let request = ConfigDuration(slowest.connection.timeouts.request)
            let consequence = "its calls may be answered with an internal error instead of their own timeout"
            if let response = file.server?.responseTimeout {
                warn(response, "not longer than tenant \(slowest.name)'s timeouts.request (\(request)): \(consequence)")
            } else if let located = file.tenants.value.entries.first(where: { $0.name.value == slowest.name })?.value.timeouts?.request {
                warn(located, "not shorter than server.response_timeout (\(ConfigDuration(server.responseTimeout)), the default): \(consequence); set server.response_timeout longer")
            }
        }
        let tenantNames = file.tenants.value.entries.map(\.name.value)
        var defaultTenant: String?
        if let name = file.defaultTenant {
            if tenantNames.contains(name.value) {
                defaultTenant = kept.string(name.value)
            } else {
                fail(name, "no tenant is named \"\(name.value)\"" + suggestion(name.value, among: tenantNames))
            }
        } else if tenantNames.count == 1 {
            defaultTenant = tenantNames[0]
        }
        var agents: [AgentConfig]?
        if let section = file.agents {
            agents = validateAgents(section, tenants: file.tenants.value.entries, validated: tenants, oauth: server.oauth)
        } else if !server.listen.isLoopback {
            warn(file.server?.listen ?? Located(""), "listening on \(server.listen) with no agents section: every HTTP call will be refused, since anonymous calls are accepted on loopback only")
        }
        let firstConfirm = file.tenants.value.entries.lazy.compactMap { $0.value.confirm?.first }.first
            ?? file.agents?.value.entries.lazy.compactMap { $0.value.confirm?.first }.first
        if let firstConfirm, file.server?.stateKeyFile == nil {
            warn(firstConfirm, "confirm is set but server.state_key_file is not: each process signs confirmations with a key of its own, so replicas do not share them (a confirmation asked by one is refused by another)")
        }
        if let oauth = file.server?.oauth, server.oauth != nil, !(agents ?? []).contains(where: { $0.oauth != nil }) {
            warn(oauth, "no agent has an oauth section, so no access token maps to an agent: every token-bearing call gets 403")
        }
        let telemetry = file.telemetry.flatMap { validateTelemetry($0) }
        return ProxyConfig(server: server, defaultTenant: defaultTenant, tenants: tenants, agents: agents, telemetry: telemetry)
    }

    // MARK: - server

    private mutating func validateServer(_ section: ServerSection?) -> ServerConfig {
        var listen = ListenAddress.default
        if let text = section?.listen {
            if let address = ListenAddress(parsing: text.value) {
                listen = address
            } else {
                fail(text, "expected HOST:PORT like \"127.0.0.1:8080\" or \"[::1]:8080\", found \"\(text.value)\"")
            }
        }
        var origins: [String] = []
        for origin in section?.allowedOrigins ?? [] {
            if let normalized = Self.origin(origin.value) {
                origins.append(normalized)
            } else {
                fail(origin, "expected an origin like \"https://agents.example.com\" (scheme, host and optional port; no path), found \"\(origin.value)\"")
            }
        }
        var audit = AuditDestination.standardError
        if let path = section?.auditLog, path.value != "-" {
            if path.value.isEmpty {
                fail(path, "expected a file path, or \"-\" for standard error")
            } else {
                let resolved = resolve(path.value)
                let parent = ConfigLoader.directory(of: resolved)
                if FileAccess.isDirectory(parent) {
                    audit = .file(resolved)
                } else {
                    fail(path, "the directory \"\(parent)\" does not exist")
                }
            }
        }
        var server = ServerConfig(listen: listen, allowedOrigins: origins, auditLog: audit)
        if let idle = section?.idleTimeout {
            server.idleTimeout = checkedDuration(idle, within: .milliseconds(100)...(.seconds(3600)))
        }
        if let response = section?.responseTimeout {
            server.responseTimeout = checkedDuration(response, within: .seconds(1)...(.seconds(3600)))
        }
        if let size = section?.maxBodyBytes {
            if (1024...(64 << 20)).contains(size.value) {
                server.maxBodyBytes = size.value
            } else {
                fail(size, "expected a number of bytes from 1024 to 67108864 (64 MiB), found \(size.value)")
            }
        }
        if let connections = section?.maxConnections {
            if (1...1_000_000).contains(connections.value) {
                server.maxConnections = connections.value
            } else {
                fail(connections, "expected a number of client connections from 1 to 1000000, found \(connections.value)")
            }
        }
        if let url = section?.publicURL {
            server.publicURL = checkedPublicURL(url)
        }
        if let keyFile = section?.stateKeyFile, var bytes = readFile(keyFile, what: "state_key_file") {
            if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
            if bytes.count >= 32 {
                server.stateKey = StateKey(bytes)
            } else {
                fail(keyFile, "the state key has \(bytes.count) bytes; it needs at least 32 (head -c 32 /dev/urandom | base64 > FILE makes one)")
            }
        }
        if let oauth = section?.oauth {
            server.oauth = validateOAuth(oauth)
            if section?.publicURL == nil {
                fail(oauth, "server.oauth needs server.public_url: the URL of /mcp as clients reach it, which access tokens must name in aud")
            }
        }
        return server
    }

    // MARK: - tenants

    private mutating func validateTenant(name: Located<String>, _ section: TenantSection) -> TenantConfig? {
        let errorCount = errors.count
        if !Self.isIdentifier(name.value) {
            fail(name, "a tenant name uses letters, digits, '-', '_' and '.', starts with a letter or digit, and has at most 63 characters")
        }
        let url = validateURL(section.url)
        var basePath = ""
        if let path = section.basePath {
            basePath = validateBasePath(path) ?? ""
        }
        let auth = validateAuth(section.auth)

        var pool = PoolSettings()
        if let max = section.pool?.maxConnections {
            if (1...1024).contains(max.value) {
                pool.maxConnections = max.value
            } else {
                fail(max, "expected a number of connections from 1 to 1024, found \(max.value)")
            }
        }
        if let idle = section.pool?.idleTimeout {
            pool.idleTimeout = checkedDuration(idle, within: .milliseconds(1)...(.seconds(3600)))
        }
        if let pipeline = section.pool?.pipeline {
            if (1...64).contains(pipeline.value) {
                if pipeline.value > 1 {
                    warn(pipeline, "no longer has an effect: requests to Keycloak are not pipelined, so that an answer can never be taken for another request's; remove the key")
                }
            } else {
                fail(pipeline, "expected a number of requests per connection from 1 to 64 (1: no pipelining), found \(pipeline.value)")
            }
        }
        var timeouts = Timeouts()
        if let connect = section.timeouts?.connect {
            timeouts.connect = checkedDuration(connect, within: .milliseconds(1)...(.seconds(300)))
        }
        if let request = section.timeouts?.request {
            timeouts.request = checkedDuration(request, within: .milliseconds(1)...(.seconds(600)))
        }
        let tls = validateTLS(section.tls, url: url)
        let limits = validateLimits(section.limits, pool: pool)
        let breaker = validateBreaker(section.breaker)

        let realms = validateRealms(section)
        var protected: [String] = []
        for user in section.protectedUsers ?? [] {
            if user.value.isEmpty {
                fail(user, "an empty name protects no user")
            } else {
                protected.append(kept.string(user.value))
            }
        }
        let confirm = checkedConfirm(section.confirm)
        guard errors.count == errorCount, let url, let auth else { return nil }
        let connection = ConnectionSettings(url: url, basePath: basePath, auth: auth, pool: pool, timeouts: timeouts, tls: tls)
        var tenant = TenantConfig(
            name: kept.string(name.value), connection: connection, realms: realms, protectedUsers: kept.strings(protected), limits: limits,
            breaker: breaker)
        tenant.confirm = confirm
        return tenant
    }

    /// `limits`, each key defaulting to ``TenantLimits/defaults(for:)`` of the pool.
    private mutating func validateLimits(_ section: LimitsSection?, pool: PoolSettings) -> TenantLimits {
        var limits = TenantLimits.defaults(for: pool)
        if let value = section?.maxInFlight {
            if (1...TenantLimits.maximum).contains(value.value) {
                limits.maxInFlight = value.value
            } else {
                fail(value, "expected a number of calls from 1 to \(TenantLimits.maximum), found \(value.value)")
            }
        }
        if let value = section?.maxQueued {
            if (0...TenantLimits.maximum).contains(value.value) {
                limits.maxQueued = value.value
            } else {
                fail(value, "expected a number of calls from 0 (no queue) to \(TenantLimits.maximum), found \(value.value)")
            }
        }
        return limits
    }

    private mutating func validateBreaker(_ section: BreakerSection?) -> BreakerSettings {
        var breaker = BreakerSettings()
        if let value = section?.failures {
            if (1...1000).contains(value.value) {
                breaker.failures = value.value
            } else {
                fail(value, "expected a number of consecutive failures from 1 to 1000, found \(value.value)")
            }
        }
        if let value = section?.coolDown {
            breaker.coolDown = checkedDuration(value, within: .milliseconds(1)...(.seconds(3600)))
        }
        return breaker
    }

    /// The URL as `scheme://host[:port]`, or nil after recording why not. Parsed on bytes:
    /// every delimiter is ASCII.
    private mutating func validateURL(_ url: Located<String>) -> String? {
        let text = url.value
        let bytes = Array(text.utf8)
        let expectation = "expected a URL like \"https://sso.example.com\" (scheme, host and optional port; no path)"
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), bytes[colon...].starts(with: "://".utf8) else {
            fail(url, "\(expectation), found \"\(text)\"")
            return nil
        }
        let scheme = String(decoding: bytes[..<colon].map(\.asciiLowercased), as: UTF8.self)
        guard scheme == "http" || scheme == "https" else {
            fail(url, "the scheme must be http or https, found \"\(scheme)\"")
            return nil
        }
        let start = colon + 3
        let end = bytes[start...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? bytes.count
        let path = bytes[end...]
        if path.contains(UInt8(ascii: "?")) || path.contains(UInt8(ascii: "#")) {
            fail(url, "the URL must not have a query or fragment, found \"\(text)\"")
            return nil
        }
        if !path.isEmpty, !path.elementsEqual("/".utf8) {
            let trimmed = path.last == UInt8(ascii: "/") ? path.dropLast() : path
            fail(url, "the URL must not have a path; put \"\(String(decoding: trimmed, as: UTF8.self))\" in base_path instead")
            return nil
        }
        let authority = bytes[start..<end]
        if authority.contains(UInt8(ascii: "@")) {
            fail(url, "the URL must not carry credentials; use the auth section")
            return nil
        }
        let host: ArraySlice<UInt8>
        var port: ArraySlice<UInt8>?
        let isIPv6 = authority.first == UInt8(ascii: "[")
        if isIPv6 {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else {
                fail(url, "\(expectation), found \"\(text)\"")
                return nil
            }
            host = bytes[(start + 1)..<close]
            let after = bytes[(close + 1)..<end]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":") else {
                    fail(url, "\(expectation), found \"\(text)\"")
                    return nil
                }
                port = after.dropFirst()
            }
        } else if let portColon = authority.lastIndex(of: UInt8(ascii: ":")) {
            host = bytes[start..<portColon]
            port = bytes[(portColon + 1)..<end]
        } else {
            host = authority
        }
        let validHost = host.allSatisfy {
            isIPv6
                ? ($0.isHexDigit || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "."))
                : ($0.isAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_"))
        }
        guard !host.isEmpty, host.first != UInt8(ascii: "-"), validHost else {
            fail(url, "\"\(String(decoding: host, as: UTF8.self))\" is not a valid host name")
            return nil
        }
        if let port {
            let number = port.count <= 5 && !port.isEmpty && port.allSatisfy(\.isDigit) ? Int(String(decoding: port, as: UTF8.self)) : nil
            guard let number, (1...65535).contains(number) else {
                fail(url, "the port must be a number from 1 to 65535, found \"\(String(decoding: port, as: UTF8.self))\"")
                return nil
            }
        }
        return "\(scheme)://\(String(decoding: authority.map(\.asciiLowercased), as: UTF8.self))"
    }

    private mutating func validateBasePath(_ path: Located<String>) -> String? {
        let text = path.value
        if text.isEmpty || text == "/" { return "" }
        let allowed = Array("-._~!$&'()*+,;=:@/".utf8)
        guard text.hasPrefix("/"), !text.hasSuffix("/"), text.utf8.allSatisfy({ $0.isAlphanumeric || allowed.contains($0) }) else {
            fail(path, "expected a path like \"/auth\" (or \"\" for none), found \"\(text)\"")
            return nil
        }
        let segments = text.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        guard !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            fail(path, "a base path has no empty, \".\" or \"..\" segments, found \"\(text)\"")
            return nil
        }
        return kept.string(text)
    }

    private mutating func validateAuth(_ auth: Located<AuthSection>) -> AdminAuth? {
        let section = auth.value
        let errorCount = errors.count
        var realm = "master"
        if let name = section.realm {
            checkRealmName(name)
            realm = kept.string(name.value)
        }
        let grant = section.grantType?.value ?? .clientCredentials
        let result: AdminAuth?
        switch grant {
        case .clientCredentials:
            for key in [section.username.map { ($0.mark, $0.path, "username") }, section.password.map { ($0.mark, $0.path, "password") },
                section.passwordFile.map { ($0.mark, $0.path, "password_file") }].compactMap({ $0 })
            {
                fail(YAMLError(mark: key.0, path: key.1, message: "\(key.2) is for grant_type password; this tenant uses client_credentials"))
            }
            guard let clientID = section.clientID else {
                fail(auth, "missing required key \"client_id\" (client_credentials needs a confidential client)")
                return nil
            }
            if clientID.value.isEmpty { fail(clientID, "a client id cannot be empty") }
            let secret = secret(section.clientSecret, file: section.clientSecretFile, name: "client_secret", required: true, in: auth)
            result = secret.map { AdminAuth(realm: realm, clientID: kept.string(clientID.value), grant: .clientCredentials(secret: $0)) }
        case .password:
            let clientID = kept.string(section.clientID?.value ?? "admin-cli")
            if section.clientID?.value.isEmpty == true { fail(section.clientID!, "a client id cannot be empty") }
            guard let username = section.username else {
                fail(auth, "missing required key \"username\" (grant_type password logs in as a user)")
                return nil
            }
            let password = secret(section.password, file: section.passwordFile, name: "password", required: true, in: auth)
            let clientSecret = secret(section.clientSecret, file: section.clientSecretFile, name: "client_secret", required: false, in: auth)
            result = password.map {
                AdminAuth(realm: realm, clientID: clientID, grant: .password(username: kept.string(username.value), password: $0, clientSecret: clientSecret))
            }
        }
        return errors.count == errorCount ? result : nil
    }

    /// A secret written inline (possibly `${NAME}`) or read from `<name>_file`.
    private mutating func secret(_ inline: Located<Secret>?, file: Located<String>?, name: String, required: Bool, in auth: Located<AuthSection>) -> Secret? {
        switch (inline, file) {
        case (.some, .some(let file)):
            fail(file, "set \(name) or \(name)_file, not both")
            return nil
        case (.some(let value), nil):
            if value.value.isEmpty {
                fail(value, "\(name) is empty")
                return nil
            }
            return Secret(kept.string(value.value.revealed))
        case (nil, .some(let path)):
            guard let bytes = readFile(path, what: "\(name)_file") else { return nil }
            var text = String(decoding: bytes, as: UTF8.self)
            while let last = text.last, last.isNewline || last == " " || last == "\t" { text.removeLast() }
            if text.isEmpty {
                fail(path, "\(name)_file \"\(path.value)\" is empty")
                return nil
            }
            return Secret(kept.string(text))
        case (nil, nil):
            if required { fail(auth, "missing required key \"\(name)\" (or \(name)_file)") }
            return nil
        }
    }

    private mutating func validateTLS(_ tls: Located<TLSSection>?, url: String?) -> TLSSettings {
        guard let tls else { return TLSSettings() }
        if let url, url.hasPrefix("http://") {
            fail(tls, "tls settings need an https url")
        }
        var settings = TLSSettings()
        if let ca = tls.value.caFile, let bytes = readFile(ca, what: "ca_file") {
            if String(decoding: bytes, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") {
                settings.caFile = resolve(ca.value)
            } else {
                fail(ca, "ca_file \"\(ca.value)\" holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
            }
        }
        switch (tls.value.certFile, tls.value.keyFile) {
        case (.some(let cert), .some(let key)):
            if readFile(cert, what: "cert_file") != nil { settings.certFile = resolve(cert.value) }
            if readFile(key, what: "key_file") != nil { settings.keyFile = resolve(key.value) }
        case (.some(let cert), nil):
            fail(cert, "cert_file needs key_file too")
        case (nil, .some(let key)):
            fail(key, "key_file needs cert_file too")
        case (nil, nil):
            break
        }
        return settings
    }

    // MARK: - realms

    private mutating func validateRealms(_ section: TenantSection) -> RealmRules {
        var defaultRealm: String?
        if let realm = section.defaultRealm, checkRealmName(realm) {
            defaultRealm = kept.string(realm.value)
        }
        let allowed = section.allowedRealms.map { kept.patterns($0.compactMap { checkedPattern($0) }) }
        let denied = kept.patterns((section.deniedRealms ?? []).compactMap { checkedPattern($0) })
        if defaultRealm == nil, section.allowedRealms == nil, section.defaultRealm == nil {
            fail(Located((), mark: section.url.mark, path: Array(section.url.path.dropLast())), "set default_realm, allowed_realms, or both: without them no realm may be used")
        }
        for (pattern, located) in zip(allowed ?? [], (section.allowedRealms ?? []).filter({ Self.patternProblem($0.value) == nil })) {
            if let denial = denied.first(where: { $0.matchesEverything || ($0.text == pattern.text) || (pattern.isLiteral && $0.matches(pattern.text)) }) {
                fail(located, "\"\(pattern)\" can never match: denied_realms entry \"\(denial)\" always wins")
            }
        }
        let rules = RealmRules(defaultRealm: defaultRealm, allowed: allowed, denied: denied)
        if let realm = section.defaultRealm, let name = defaultRealm, !rules.allows(name) {
            if let denial = rules.denial(of: name) {
                fail(realm, "the default realm \"\(name)\" is denied by denied_realms entry \"\(denial)\"")
            } else {
                fail(realm, "the default realm \"\(name)\" matches no allowed_realms entry")
            }
        }
        return rules
    }

    @discardableResult
    private mutating func checkRealmName(_ name: Located<String>) -> Bool {
        if let problem = Self.patternProblem(name.value) ?? (name.value.contains(where: { $0 == "*" || $0 == "?" }) ? "a realm name here cannot hold '*' or '?'" : nil) {
            fail(name, problem)
            return false
        }
        return true
    }

    private mutating func checkedPattern(_ pattern: Located<String>) -> RealmPattern? {
        if let problem = Self.patternProblem(pattern.value) {
            fail(pattern, "\"\(pattern.value)\" can never match: \(problem)")
            return nil
        }
        return kept.pattern(pattern.value)
    }

    /// Why a realm name or pattern can never name a realm the proxy would call, if it cannot.
    static func patternProblem(_ text: String) -> String? {
        let bytes = text.utf8
        if bytes.isEmpty { return "a realm name cannot be empty" }
        if text == "." || text == ".." { return "\"\(text)\" is not a realm name" }
        if bytes.contains(UInt8(ascii: "/")) || bytes.contains(UInt8(ascii: "\\")) { return "a realm name cannot contain '/' or '\\'" }
        // C0 controls and DEL are single bytes; C1 controls are U+0080...U+009F.
        if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) || (bytes.contains { $0 >= 0x80 } && text.unicodeScalars.contains { (0x80...0x9F).contains($0.value) }) {
            return "a realm name cannot contain control characters"
        }
        if bytes.count > 255 { return "a realm name has at most 255 bytes" }
        return nil
    }

    // MARK: - agents

    private mutating func validateAgents(
        _ section: Located<NamedList<AgentSection>>, tenants: [NamedList<TenantSection>.Entry], validated: [TenantConfig], oauth: OAuthSettings?
    ) -> [AgentConfig] {
        var agents: [AgentConfig] = []
        var owners: [[UInt8]: String] = [:]
        let tenantNames = Set(tenants.map(\.name.value))
        let rulesByTenant = Dictionary(validated.map { ($0.name, $0.realms) }, uniquingKeysWith: { first, _ in first })
        if section.value.entries.isEmpty {
            warn(section, "an empty agents section refuses every HTTP call; remove it to allow anonymous calls on loopback")
        }
        for entry in section.value.entries {
            let name = entry.name
            let agent = entry.value
            if !Self.isIdentifier(name.value) {
                fail(name, "an agent name uses letters, digits, '-', '_' and '.', starts with a letter or digit, and has at most 63 characters")
            }
            var hash: [UInt8]?
            switch (agent.tokenSHA256, agent.token) {
            case (.some(let hex), .some(let token)):
                fail(token, "set token or token_sha256, not both")
                _ = hex
            case (.some(let hex), nil):
                hash = Self.hexBytes(hex.value)
                if hash == nil {
                    fail(hex, "expected 64 hexadecimal characters, the SHA-256 of the token (printf %s \"$TOKEN\" | sha256sum)")
                }
            case (nil, .some(let token)):
                if token.value.revealed.count < 16 {
                    fail(token, "a bearer token needs at least 16 characters")
                } else {
                    hash = Array(SHA256.hash(data: Array(token.value.revealed.utf8)))
                }
            case (nil, nil):
                if agent.oauth == nil {
                    fail(Located((), mark: name.mark, path: name.path), "missing required key \"token_sha256\" (or token, or oauth)")
                }
            }
            let match = agent.oauth.flatMap { validateAgentOAuth($0, oauth: oauth) }
            if let hash {
                if let owner = owners[hash] {
                    let message = "agent \"\(name.value)\" has the same token as agent \"\(owner)\""
                    if let hex = agent.tokenSHA256 { fail(hex, message) } else if let token = agent.token { fail(token, message) }
                } else {
                    owners[hash] = name.value
                }
            }
            var tools = Set(ToolName.allCases)
            if let list = agent.tools {
                tools = []
                for tool in list {
                    if let known = ToolName(rawValue: tool.value) {
                        tools.insert(known)
                    } else {
                        fail(tool, "unknown tool \"\(tool.value)\"" + suggestion(tool.value, among: ToolName.allCases.map(\.rawValue)))
                    }
                }
                if list.isEmpty { warn(Located((), mark: name.mark, path: name.path + ["tools"]), "an empty tools list allows no tool; remove the key to allow every tool") }
            }
            var scopes: [String: [RealmPattern]?]?
            if let list = agent.tenants {
                scopes = [:]
                for scope in list.value.entries {
                    let tenantName = scope.name.value
                    guard tenantNames.contains(tenantName) else {
                        fail(scope.name, "no tenant is named \"\(tenantName)\"" + suggestion(tenantName, among: tenants.map(\.name.value)))
                        continue
                    }
                    let rules = rulesByTenant[tenantName]
                    var patterns: [RealmPattern]?
                    if let realms = scope.value.realms {
                        patterns = []
                        for realm in realms {
                            guard let pattern = checkedPattern(realm) else { continue }
                            if let rules, let reason = Self.narrowingProblem(pattern, rules: rules, tenant: tenantName) {
                                fail(realm, reason)
                            }
                            patterns?.append(pattern)
                        }
                    }
                    scopes?[kept.string(scope.name.value)] = .some(patterns.map { kept.patterns($0) })
                }
            }
            let confirm = checkedConfirm(agent.confirm)
            for tool in agent.confirm ?? [] {
                if let known = ToolName(rawValue: tool.value), !tools.contains(known) {
                    warn(tool, "agent \"\(name.value)\" may not call \(known.rawValue), so it is never asked to confirm it")
                }
            }
            if hash != nil || match != nil {
                var config = AgentConfig(name: kept.string(name.value), tokenSHA256: hash, oauth: match, tools: tools, tenants: scopes)
                config.confirm = confirm
                agents.append(config)
            }
        }
        return agents
    }

    /// Why an agent's realm pattern can never match a realm its tenant allows, if it cannot.
    static func narrowingProblem(_ pattern: RealmPattern, rules: RealmRules, tenant: String) -> String? {
        if let denial = rules.denied.first(where: { $0.matchesEverything || $0.text == pattern.text || (pattern.isLiteral && $0.matches(pattern.text)) }) {
            return "\"\(pattern)\" can never match: tenant \(tenant) denies it (denied_realms entry \"\(denial)\")"
        }
        if !rules.effectiveAllowed.contains(where: { $0.overlaps(pattern) }) {
            let allowed = rules.effectiveAllowed.map { "\"\($0)\"" }.joined(separator: ", ")
            return "\"\(pattern)\" can never match: tenant \(tenant) allows only \(allowed); an agent's realms narrow the tenant's, never widen them"
        }
        return nil
    }

    // MARK: - helpers

    mutating func readFile(_ path: Located<String>, what: String) -> [UInt8]? {
        if path.value.isEmpty {
            fail(path, "\(what) is empty; expected a file path")
            return nil
        }
        do {
            return try files.read(resolve(path.value), 1 << 20)
        } catch {
            fail(path, "cannot read \(what) \"\(path.value)\": \(error.reason)")
            return nil
        }
    }

    mutating func checkedDuration(_ value: Located<ConfigDuration>, within range: ClosedRange<Duration>) -> Duration {
        guard range.contains(value.value.duration) else {
            fail(value, "expected a duration from \(ConfigDuration(range.lowerBound)) to \(ConfigDuration(range.upperBound)), found \"\(value.value)\"")
            return range.lowerBound
        }
        return value.value.duration
    }

    /// A path from the config, taken from the config file's directory when relative.
    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (directory == "." ? path : "\(directory)/\(path)")
    }

    func suggestion(_ word: String, among candidates: [String]) -> String {
        Suggestion.closest(to: word, among: candidates).map { "; did you mean \"\($0)\"?" } ?? ""
    }

    mutating func fail<T>(_ value: Located<T>, _ message: String) {
        fail(value.error(message))
    }

    mutating func fail(_ mark: Mark, path: [String], _ message: String) {
        fail(YAMLError(mark: mark, path: path, message: message))
    }

    private mutating func fail(_ error: YAMLError) {
        errors.append(ConfigError(file: fileName, error))
    }

    mutating func warn<T>(_ value: Located<T>, _ message: String) {
        warnings.append(ConfigError(file: fileName, value.error(message)))
    }

    static func isIdentifier(_ name: String) -> Bool {
        let bytes = name.utf8
        guard let first = bytes.first, first.isAlphanumeric, bytes.count <= 63 else { return false }
        return bytes.allSatisfy { $0.isAlphanumeric || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    /// The range of the first `://`, found by a byte scan.
    static func schemeSeparator(in text: String) -> Range<String.Index>? {
        guard let colon = text.utf8.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        let rest = text.utf8[colon...]
        guard rest.starts(with: "://".utf8) else { return nil }
        return colon..<text.utf8.index(colon, offsetBy: 3)
    }

    static func origin(_ text: String) -> String? {
        guard let schemeEnd = schemeSeparator(in: text) else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        let host = text[schemeEnd.upperBound...]
        guard scheme == "http" || scheme == "https", !host.isEmpty,
            !host.contains(where: { "/?#@ ".contains($0) })
        else { return nil }
        return "\(scheme)://\(host.lowercased())"
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.lowercased().utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

extension UInt8 {
    var asciiLowercased: UInt8 { self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z") ? self | 0x20 : self }
    var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    var isAlphanumeric: Bool { isDigit || (self | 0x20 >= UInt8(ascii: "a") && self | 0x20 <= UInt8(ascii: "z")) }
    var isHexDigit: Bool { isDigit || (self | 0x20 >= UInt8(ascii: "a") && self | 0x20 <= UInt8(ascii: "f")) }
}
