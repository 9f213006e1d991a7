import Crypto
import KeycloakAdmin
import ProxyCore
import Testing

@Suite("Config rules")
struct ConfigRulesTests {
    @Test func baseConfigLoads() throws {
        let loaded = try loadConfig(baseConfig)
        let config = loaded.config
        #expect(config.defaultTenant == "eu")  // the only tenant
        #expect(config.server.listen == .default)
        #expect(config.agents == nil)
        let eu = try #require(config.tenant(named: "eu"))
        #expect(eu.connection.url == "https://sso.eu.example.com")
        #expect(eu.connection.auth == AdminAuth(realm: "master", clientID: "proxy", grant: .clientCredentials(secret: Secret("s3cret-inline-value"))))
        #expect(eu.connection.timeouts == Timeouts(connect: .seconds(2), request: .seconds(10)))
        #expect(eu.realms.allows("customers"))
        #expect(eu.realms.allows("partner-acme"))
        #expect(!eu.realms.allows("master"))
        #expect(!eu.realms.allows("other"))
        #expect(loaded.warnings.isEmpty)
    }

    @Test func wrongTypeNamesTheExpectedType() {
        let text = baseConfig + "\n    pool: { max_connections: many }"
        #expect(configErrors(text) == ["config.yaml:11:30: tenants.eu.pool.max_connections: expected an integer, found \"many\""])
    }

    @Test func pipelineStillLoadsButWarnsThatItHasNoEffect() throws {
        let deep = try loadConfig(baseConfig + "\n    pool: { max_connections: 4, pipeline: 8 }")
        #expect(deep.config.tenant(named: "eu")?.connection.pool == PoolSettings(maxConnections: 4))
        #expect(deep.warnings.map(\.description) == [
            "config.yaml:11:43: tenants.eu.pool.pipeline: no longer has an effect: requests to Keycloak are not pipelined, so that an answer can never be taken for another request's; remove the key"
        ])
        #expect(try loadConfig(baseConfig + "\n    pool: { pipeline: 1 }").warnings.isEmpty)
        #expect(configErrors(baseConfig + "\n    pool: { pipeline: 0 }") == [
            "config.yaml:11:23: tenants.eu.pool.pipeline: expected a number of requests per connection from 1 to 64 (1: no pipelining), found 0"
        ])
    }

    @Test func unknownKeySuggestsTheClosestKnownOne() {
        let text = baseConfig.replacing("    default_realm: customers", with: "    defualt_realm: customers")
        #expect(configErrors(text) == ["config.yaml:8:5: tenants.eu.defualt_realm: unknown key \"defualt_realm\"; did you mean \"default_realm\"?"])
    }

    @Test func duplicateKeyPointsAtTheSecondOne() {
        let text = baseConfig + "\n    default_realm: partners"
        #expect(configErrors(text) == ["config.yaml:11:5: tenants.eu.default_realm: duplicate key \"default_realm\"; it is first defined at line 8, column 5"])
    }

    @Test func unsetVariableIsNamed() throws {
        let text = baseConfig.replacing("s3cret-inline-value", with: "${KC_EU_SECRET}")
        #expect(configErrors(text) == ["config.yaml:7:22: tenants.eu.auth.client_secret: environment variable KC_EU_SECRET is not set"])
        #expect(try loadConfig(text, environment: ["KC_EU_SECRET": "from-env"]).config.tenants[0].connection.auth.grant == .clientCredentials(secret: Secret("from-env")))
    }

    @Test func secretFilesAreReadRelativeToTheConfig() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write("eu-secret", "from-file\n")
        let text = baseConfig.replacing("client_secret: s3cret-inline-value", with: "client_secret_file: eu-secret")
        let auth = try loadConfig(text, directory: dir.path).config.tenants[0].connection.auth
        #expect(auth.grant == .clientCredentials(secret: Secret("from-file")))
    }

    @Test func unreadableSecretFileGivesTheSystemsReason() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write("empty", "\n")
        var text = baseConfig.replacing("client_secret: s3cret-inline-value", with: "client_secret_file: /nonexistent/kc-eu")
        #expect(configErrors(text) == ["config.yaml:7:27: tenants.eu.auth.client_secret_file: cannot read client_secret_file \"/nonexistent/kc-eu\": No such file or directory"])
        text = baseConfig.replacing("client_secret: s3cret-inline-value", with: "client_secret_file: \(dir.path)")
        #expect(configErrors(text) == ["config.yaml:7:27: tenants.eu.auth.client_secret_file: cannot read client_secret_file \"\(dir.path)\": it is a directory"])
        text = baseConfig.replacing("client_secret: s3cret-inline-value", with: "client_secret_file: empty")
        #expect(configErrors(text, directory: dir.path) == ["config.yaml:7:27: tenants.eu.auth.client_secret_file: client_secret_file \"empty\" is empty"])
    }

    @Test func secretNeedsExactlyOneSource() {
        var text = baseConfig + "\n      client_secret_file: /run/secrets/eu"
        text = baseConfig.replacing("      client_secret: s3cret-inline-value", with: "      client_secret: s3cret-inline-value\n      client_secret_file: /run/secrets/eu")
        #expect(configErrors(text) == ["config.yaml:8:27: tenants.eu.auth.client_secret_file: set client_secret or client_secret_file, not both"])
        text = baseConfig.replacing("      client_secret: s3cret-inline-value\n", with: "")
        #expect(configErrors(text) == ["config.yaml:6:7: tenants.eu.auth: missing required key \"client_secret\" (or client_secret_file)"])
    }

    @Test(arguments: [
        ("https://sso.eu.example.com/auth", "the URL must not have a path; put \"/auth\" in base_path instead"),
        ("sso.eu.example.com", "expected a URL like \"https://sso.example.com\" (scheme, host and optional port; no path), found \"sso.eu.example.com\""),
        ("ftp://sso.eu.example.com", "the scheme must be http or https, found \"ftp\""),
        ("https://sso.eu.example.com:99999", "the port must be a number from 1 to 65535, found \"99999\""),
        ("https://[::1]:8443x", "the port must be a number from 1 to 65535, found \"8443x\""),
        ("https://sso.eu.example.com?x=1", "the URL must not have a query or fragment, found \"https://sso.eu.example.com?x=1\""),
        ("https://admin:pw@sso.eu.example.com", "the URL must not carry credentials; use the auth section"),
        ("https://sso eu", "\"sso eu\" is not a valid host name"),
    ])
    func badURLSaysWhatIsWrong(url: String, message: String) {
        let text = baseConfig.replacing("\"https://sso.eu.example.com\"", with: "\"\(url)\"")
        #expect(configErrors(text) == ["config.yaml:4:10: tenants.eu.url: \(message)"])
    }

    @Test func urlIsNormalisedAndBasePathKept() throws {
        let text = baseConfig.replacing("\"https://sso.eu.example.com\"", with: "\"HTTPS://SSO.eu.example.com:8443/\"\n    base_path: /auth")
        let connection = try loadConfig(text).config.tenants[0].connection
        #expect(connection.url == "https://sso.eu.example.com:8443")
        #expect(connection.basePath == "/auth")
        #expect(configErrors(baseConfig + "\n    base_path: auth/") == ["config.yaml:11:16: tenants.eu.base_path: expected a path like \"/auth\" (or \"\" for none), found \"auth/\""])
        #expect(configErrors(baseConfig + "\n    base_path: /a/../b") == ["config.yaml:11:16: tenants.eu.base_path: a base path has no empty, \".\" or \"..\" segments, found \"/a/../b\""])
    }

    @Test func badDurationUsesTheDocumentedMessage() {
        let text = baseConfig + "\n    timeouts: { connect: 10, request: ten }"
        #expect(configErrors(text) == [
            "config.yaml:11:26: tenants.eu.timeouts.connect: expected a duration like \"10s\", found \"10\" (add a unit: ms, s, m or h)",
            "config.yaml:11:39: tenants.eu.timeouts.request: expected a duration like \"10s\", found \"ten\"",
        ])
        #expect(configErrors(baseConfig + "\n    timeouts: { request: 0s }") == [
            "config.yaml:11:26: tenants.eu.timeouts.request: expected a duration from 1ms to 10m, found \"0s\""
        ])
    }

    @Test func durationsAcceptEveryDocumentedForm() throws {
        let text = baseConfig + "\n    timeouts: { connect: 250ms, request: 1m30s }\n    pool: { idle_timeout: 1h }"
        let connection = try loadConfig(text).config.tenants[0].connection
        #expect(connection.timeouts == Timeouts(connect: .milliseconds(250), request: .seconds(90)))
        #expect(connection.pool.idleTimeout == .seconds(3600))
    }

    @Test func badGlobsThatCanNeverMatchAreRefused() {
        let text = baseConfig.replacing("allowed_realms: [customers, \"partner-*\"]", with: "allowed_realms: [customers, \"\", \"a/b\", master]")
        #expect(configErrors(text) == [
            "config.yaml:9:33: tenants.eu.allowed_realms[1]: \"\" can never match: a realm name cannot be empty",
            "config.yaml:9:37: tenants.eu.allowed_realms[2]: \"a/b\" can never match: a realm name cannot contain '/' or '\\'",
            "config.yaml:9:44: tenants.eu.allowed_realms[3]: \"master\" can never match: denied_realms entry \"master\" always wins",
        ])
        let everything = baseConfig.replacing("denied_realms: [master]", with: "denied_realms: [\"*\"]")
        #expect(configErrors(everything) == [
            "config.yaml:8:20: tenants.eu.default_realm: the default realm \"customers\" is denied by denied_realms entry \"*\"",
            "config.yaml:9:22: tenants.eu.allowed_realms[0]: \"customers\" can never match: denied_realms entry \"*\" always wins",
            "config.yaml:9:33: tenants.eu.allowed_realms[1]: \"partner-*\" can never match: denied_realms entry \"*\" always wins",
        ])
    }

    @Test func defaultRealmMustBeAllowed() {
        let text = baseConfig.replacing("default_realm: customers", with: "default_realm: staff")
        #expect(configErrors(text) == ["config.yaml:8:20: tenants.eu.default_realm: the default realm \"staff\" matches no allowed_realms entry"])
        let noRealms = baseConfig.replacing("    default_realm: customers\n    allowed_realms: [customers, \"partner-*\"]\n", with: "")
        #expect(configErrors(noRealms) == ["config.yaml:4:10: tenants.eu: set default_realm, allowed_realms, or both: without them no realm may be used"])
    }

    @Test func withoutAllowedRealmsOnlyTheDefaultRealmIsAllowed() throws {
        let text = baseConfig.replacing("    allowed_realms: [customers, \"partner-*\"]\n", with: "")
        let realms = try loadConfig(text).config.tenants[0].realms
        #expect(realms.allows("customers"))
        #expect(!realms.allows("partner-acme"))
    }

    @Test func passwordGrantDefaultsToAdminCLI() throws {
        let text = baseConfig.replacing("      client_id: proxy\n      client_secret: s3cret-inline-value", with: "      grant_type: password\n      username: admin\n      password: ${PW}")
        let auth = try loadConfig(text, environment: ["PW": "pw-value"]).config.tenants[0].connection.auth
        #expect(auth == AdminAuth(realm: "master", clientID: "admin-cli", grant: .password(username: "admin", password: Secret("pw-value"), clientSecret: nil)))
        let typo = baseConfig.replacing("      client_id: proxy", with: "      grant_type: passwrd\n      client_id: proxy")
        #expect(configErrors(typo) == ["config.yaml:6:19: tenants.eu.auth.grant_type: expected one of \"client_credentials\", \"password\", found \"passwrd\"; did you mean \"password\"?"])
        let mixed = baseConfig.replacing("      client_id: proxy", with: "      client_id: proxy\n      username: admin")
        #expect(configErrors(mixed) == ["config.yaml:7:17: tenants.eu.auth.username: username is for grant_type password; this tenant uses client_credentials"])
    }

    @Test func tlsSettingsAreChecked() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write("not-a-cert.pem", "hello")
        let text = baseConfig + "\n    tls: { ca_file: not-a-cert.pem, cert_file: client.pem }"
        #expect(configErrors(text, directory: dir.path) == [
            "config.yaml:11:21: tenants.eu.tls.ca_file: ca_file \"not-a-cert.pem\" holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            "config.yaml:11:48: tenants.eu.tls.cert_file: cert_file needs key_file too",
        ])
        let plain = baseConfig.replacing("https://", with: "http://") + "\n    tls: {}"
        #expect(configErrors(plain) == ["config.yaml:11:10: tenants.eu.tls: tls settings need an https url"])
    }

    @Test func serverSettingsAreChecked() {
        let text = baseConfig + "\nserver:\n  listen: localhost\n  allowed_origins: [\"https://ok.example.com\", \"agents.example.com\"]\n  audit_log: /nonexistent/audit.jsonl"
        #expect(configErrors(text) == [
            "config.yaml:12:11: server.listen: expected HOST:PORT like \"127.0.0.1:8080\" or \"[::1]:8080\", found \"localhost\"",
            "config.yaml:13:47: server.allowed_origins[1]: expected an origin like \"https://agents.example.com\" (scheme, host and optional port; no path), found \"agents.example.com\"",
            "config.yaml:14:14: server.audit_log: the directory \"/nonexistent\" does not exist",
        ])
    }

    @Test func serverLimitsAreRead() throws {
        let loaded = try loadConfig(baseConfig + "\nserver:\n  idle_timeout: 5s\n  response_timeout: 1m30s\n  max_body_bytes: 65536")
        #expect(loaded.config.server.idleTimeout == .seconds(5))
        #expect(loaded.config.server.responseTimeout == .seconds(90))
        #expect(loaded.config.server.maxBodyBytes == 65536)
        #expect(loaded.warnings.isEmpty)
        let defaults = try loadConfig(baseConfig).config.server
        #expect(defaults.idleTimeout == .seconds(60) && defaults.responseTimeout == .seconds(120) && defaults.maxBodyBytes == 1 << 20)
    }

    @Test func serverLimitsOutOfRangeAreErrorsWithTheirPositions() {
        let text = baseConfig + "\nserver:\n  idle_timeout: 10ms\n  response_timeout: 2h\n  max_body_bytes: 100"
        #expect(configErrors(text) == [
            "config.yaml:12:17: server.idle_timeout: expected a duration from 100ms to 1h, found \"10ms\"",
            "config.yaml:13:21: server.response_timeout: expected a duration from 1s to 1h, found \"2h\"",
            "config.yaml:14:19: server.max_body_bytes: expected a number of bytes from 1024 to 67108864 (64 MiB), found 100",
        ])
    }

    @Test func aResponseTimeoutNotLongerThanATenantsRequestTimeoutIsWarnedAbout() throws {
        let text = baseConfig.replacing("    default_realm: customers", with: "    default_realm: customers\n    timeouts: { request: 30s }")
            + "\nserver: { response_timeout: 30s }"
        let loaded = try loadConfig(text)
        #expect(loaded.warnings.map(\.description) == [
            "config.yaml:12:29: server.response_timeout: not longer than tenant eu's timeouts.request (30s): its calls may be answered with an internal error instead of their own timeout"
        ])
        #expect(loaded.config.server.responseTimeout == .seconds(30), "a warning, not an error: the value is used")

        let againstDefault = baseConfig.replacing("    default_realm: customers", with: "    default_realm: customers\n    timeouts: { request: 5m }")
        #expect(try loadConfig(againstDefault).warnings.map(\.description) == [
            "config.yaml:9:26: tenants.eu.timeouts.request: not shorter than server.response_timeout (2m, the default): its calls may be answered with an internal error instead of their own timeout; set server.response_timeout longer"
        ])
    }

    @Test func publicListenerWithoutAgentsIsWarnedAbout() throws {
        let loaded = try loadConfig(baseConfig + "\nserver: { listen: \"0.0.0.0:8080\" }")
        #expect(loaded.warnings.map(\.description) == [
            "config.yaml:11:19: server.listen: listening on 0.0.0.0:8080 with no agents section: every HTTP call will be refused, since anonymous calls are accepted on loopback only"
        ])
        #expect(loaded.config.server.listen == ListenAddress(host: "0.0.0.0", port: 8080))
    }

    @Test func defaultTenantMustExist() {
        #expect(configErrors(baseConfig + "\ndefault_tenant: ue") == ["config.yaml:11:17: default_tenant: no tenant is named \"ue\"; did you mean \"eu\"?"])
    }

    @Test func versionMustBeOne() {
        #expect(configErrors(baseConfig.replacing("version: 1", with: "version: 2")) == ["config.yaml:1:10: version: unsupported version 2; this proxy reads version 1"])
    }

    @Test func agentsAreValidated() throws {
        let hash = String(repeating: "ab", count: 32)
        let text = baseConfig + """

            agents:
              bot:
                token_sha256: "\(hash)"
                tools: [logout_user, logout]
                tenants:
                  eu: { realms: [customers, staff, master] }
                  us: {}
              twin:
                token_sha256: "\(hash.uppercased())"
              short:
                token: abc
              nohash:
                token_sha256: "xyz"
            """
        #expect(configErrors(text) == [
            "config.yaml:14:26: agents.bot.tools[1]: unknown tool \"logout\"; did you mean \"logout_user\"?",
            "config.yaml:16:33: agents.bot.tenants.eu.realms[1]: \"staff\" can never match: tenant eu allows only \"customers\", \"partner-*\"; an agent's realms narrow the tenant's, never widen them",
            "config.yaml:16:40: agents.bot.tenants.eu.realms[2]: \"master\" can never match: tenant eu denies it (denied_realms entry \"master\")",
            "config.yaml:17:7: agents.bot.tenants.us: no tenant is named \"us\"",
            "config.yaml:19:19: agents.twin.token_sha256: agent \"twin\" has the same token as agent \"bot\"",
            "config.yaml:21:12: agents.short.token: a bearer token needs at least 16 characters",
            "config.yaml:23:19: agents.nohash.token_sha256: expected 64 hexadecimal characters, the SHA-256 of the token (printf %s \"$TOKEN\" | sha256sum)",
        ])
    }

    @Test func agentTokensAreStoredAsTheirHash() throws {
        let text = baseConfig + "\nagents:\n  bot:\n    token: ${BOT_TOKEN}\n    tools: [list_tenants]\n    tenants: { eu: { realms: [\"partner-*\"] } }"
        let agent = try #require(try loadConfig(text, environment: ["BOT_TOKEN": "a-long-enough-bearer-token"]).config.agents?.first)
        #expect(agent.tokenSHA256 == Array(SHA256.hash(data: Array("a-long-enough-bearer-token".utf8))))
        #expect(agent.tools == [.listTenants])
        #expect(agent.tenants == ["eu": [RealmPattern("partner-*")]])
    }

    @Test func everyErrorIsReportedAtOnceInFileOrder() {
        let text = """
            version: 1
            default_tenant: nowhere
            tenants:
              eu:
                url: "sso.example.com"
                auth: { client_id: proxy, client_secret: x }
                default_realm: customers
                timeouts: { request: ten }
                colour: blue
            """
        #expect(configErrors(text) == [
            "config.yaml:2:17: default_tenant: no tenant is named \"nowhere\"",
            "config.yaml:5:10: tenants.eu.url: expected a URL like \"https://sso.example.com\" (scheme, host and optional port; no path), found \"sso.example.com\"",
            "config.yaml:8:26: tenants.eu.timeouts.request: expected a duration like \"10s\", found \"ten\"",
            "config.yaml:9:5: tenants.eu.colour: unknown key \"colour\"; expected one of: allowed_realms, auth, base_path, breaker, confirm, default_realm, denied_realms, limits, pool, protected_users, timeouts, tls, url",
        ])
    }

    @Test func globsMatchAndOverlapAsDocumented() {
        #expect(RealmPattern("partner-*").matches("partner-"))
        #expect(RealmPattern("partner-*").matches("partner-acme"))
        #expect(!RealmPattern("partner-*").matches("partners"))
        #expect(RealmPattern("team-?").matches("team-a"))
        #expect(!RealmPattern("team-?").matches("team-ab"))
        #expect(RealmPattern("*-prod-*").matches("eu-prod-1"))
        #expect(RealmPattern("Żółw*").matches("Żółw realm"))
        #expect(RealmPattern("partner-*").overlaps(RealmPattern("*-acme")))
        #expect(!RealmPattern("partner-*").overlaps(RealmPattern("customer-*")))
        #expect(!RealmPattern("team-?").overlaps(RealmPattern("team-ab")))
    }
}
