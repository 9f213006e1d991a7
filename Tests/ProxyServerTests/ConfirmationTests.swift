import Crypto
import Foundation
import KeycloakEmulator
import ProxyCore
import Testing

extension TestAgent {
    /// Logs out on eu, like incident-bot there, with no confirm of its own: it may call the tool
    /// a state was issued for, to another agent.
    static let euResponder = TestAgent(
        name: "eu-responder", token: "eu-responder-token-0123456789", tools: [.logoutUser, .getUserSessions, .listTenants],
        tenants: ["eu": nil])
    /// Every tool on every tenant, but a person confirms each of its logouts (`agents.NAME.confirm`).
    static let cautiousBot = TestAgent(
        name: "cautious-bot", token: "cautious-bot-token-0123456789", tools: Set(ToolName.allCases), tenants: nil,
        confirm: [.logoutUser])
}

extension EndToEnd {
    /// DESIGN.md section 8: a tool in a tenant's or an agent's `confirm` runs only after a person
    /// says yes through MCP 2026-07-28 elicitation; a client that cannot ask is refused; the
    /// states are signed, bound to the call and used once. The emulators' request counts show
    /// what reached Keycloak at each step.
    @Suite("A person's yes before logout_user", .timeLimit(.minutes(1)))
    struct ConfirmationTests {
        static let token = TestAgent.incidentBot.token
        /// The key both replicas of a test share (`server.state_key_file`).
        static let stateKey = StateKey(Array("confirmation-tests-state-key-0123456789abcdef".utf8))
        /// `_meta` of a 2026-07-28 client that can ask a person.
        static let asking = MCPTestClient.modernMeta(capabilities: ["elicitation": [:]])

        static let yes: JSONValue = ["action": "accept", "content": ["confirm": true]]
        static let no: JSONValue = ["action": "accept", "content": ["confirm": false]]
        static let decline: JSONValue = ["action": "decline"]
        static let cancel: JSONValue = ["action": "cancel"]

        /// `tools/call logout_user` parameters.
        static func logout(_ arguments: JSONValue) -> [String: JSONValue] {
            ["name": "logout_user", "arguments": arguments]
        }

        static let logoutAlice = logout(["tenant": "eu", "username": "alice"])

        /// The retry of `params`: the same call with the state and the person's answer.
        static func retry(_ params: [String: JSONValue], state: String, _ answer: JSONValue) -> [String: JSONValue] {
            var params = params
            params["requestState"] = .string(state)
            params["inputResponses"] = ["confirm": answer]
            return params
        }

        /// A config for eu (with `logout_user` in its confirm unless `tenantConfirm` is false) and
        /// us (without), the test agents, signing states with `key`.
        static func config(
            _ eu: KeycloakEmulator, _ us: KeycloakEmulator, tenantConfirm: Bool = true,
            agents: [TestAgent] = TestAgent.all + [.euResponder, .cautiousBot], key: StateKey? = stateKey
        ) -> ProxyConfig {
            var config = proxyConfig(
                [tenantConfig("eu", eu, confirm: tenantConfirm ? [.logoutUser] : []), tenantConfig("us", us)], agents: agents)
            config.server.stateKey = key
            return config
        }

        /// The `input_required` result of a first call: one yes/no form asking `message`. Returns
        /// the state the retry sends back.
        static func expectQuestion(_ result: JSON, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
            #expect(result["resultType"].string == "input_required", "\(result)", sourceLocation: sourceLocation)
            #expect(result["_meta"][MCPTestClient.serverInfoKey]["name"].string == "keycloak-mcp-proxy", "\(result)", sourceLocation: sourceLocation)
            #expect(result["isError"].bool != true, "\(result)", sourceLocation: sourceLocation)
            #expect(result["inputRequests"].keys == ["confirm"], "\(result)", sourceLocation: sourceLocation)
            let request = result["inputRequests"]["confirm"]
            #expect(request["method"].string == "elicitation/create", "\(result)", sourceLocation: sourceLocation)
            #expect(request["params"]["mode"].string == "form", "\(result)", sourceLocation: sourceLocation)
            #expect(request["params"]["message"].string == message, "\(result)", sourceLocation: sourceLocation)
            let schema = request["params"]["requestedSchema"]
            #expect(schema["type"].string == "object", "\(schema)", sourceLocation: sourceLocation)
            #expect(schema["properties"]["confirm"]["type"].string == "boolean", "\(schema)", sourceLocation: sourceLocation)
            #expect(schema["required"].array.compactMap(\.string) == ["confirm"], "\(schema)", sourceLocation: sourceLocation)
            let state = try #require(result["requestState"].string, "no requestState in \(result)", sourceLocation: sourceLocation)
            #expect(state.split(separator: ".").count == 2, "\(state)", sourceLocation: sourceLocation)
            return state
        }

        /// A tool error with `code`, whose message contains `words` when given.
        static func expectToolError(
            _ result: JSON, _ code: String, saying words: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
        ) {
            #expect(result["isError"].bool == true, "\(result)", sourceLocation: sourceLocation)
            #expect(result["structuredContent"]["error"]["code"].string == code, "\(result)", sourceLocation: sourceLocation)
            if let words {
                let message = result["structuredContent"]["error"]["message"].string ?? ""
                #expect(message.contains(words), "\(code): \(message)", sourceLocation: sourceLocation)
            }
        }

        /// A successful logout of `userID`.
        static func expectLoggedOut(_ result: JSON, _ userID: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(result["resultType"].string == "complete", "\(result)", sourceLocation: sourceLocation)
            #expect(result["isError"].bool == false, "\(result)", sourceLocation: sourceLocation)
            #expect(result["structuredContent"]["status"].string == "success", "\(result)", sourceLocation: sourceLocation)
            #expect(result["structuredContent"]["user_id"].string == userID, "\(result)", sourceLocation: sourceLocation)
        }

        /// Only reads reached `emulator`: no logout nor anything else that ends a session.
        static func expectOnlyReads(_ emulator: KeycloakEmulator, sourceLocation: SourceLocation = #_sourceLocation) {
            let reads: Set<EndpointKind> = [.token, .user, .userSearch, .userCount, .userSessions, .offlineSessions]
            let sent = Set(emulator.requestCounts.filter { $0.value > 0 }.keys)
            #expect(sent.isSubset(of: reads), "\(emulator.requestCounts)", sourceLocation: sourceLocation)
            #expect(emulator.requestCount(.logout) == 0, "\(emulator.requestCounts)", sourceLocation: sourceLocation)
        }

        /// Nothing reached the admin API of `emulator` since its log was reset.
        static func expectNothingSent(_ emulator: KeycloakEmulator, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(emulator.adminRequestCount == 0, "\(emulator.requestCounts)", sourceLocation: sourceLocation)
            #expect(emulator.requestCount(.logout) == 0, "\(emulator.requestCounts)", sourceLocation: sourceLocation)
        }

        /// The audit records of `logout_user` calls, oldest first.
        static func logoutRecords(_ audit: AuditFile) throws -> [JSON] {
            try audit.records().filter { $0["tool"].string == "logout_user" }
        }

        // MARK: - States built by the test

        static func base64URL(_ data: some DataProtocol) -> String {
            Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }

        static func data(base64URL text: some StringProtocol) -> Data? {
            var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            return Data(base64Encoded: base64)
        }

        /// A state as the proxy makes one: base64url of the claims as JSON, a dot, base64url of
        /// their HMAC-SHA256 under `key`.
        static func sign(_ claims: JSONValue, key: [UInt8]) -> String {
            let payload = JSONCoding.encode(claims)
            let mac = HMAC<SHA256>.authenticationCode(for: payload, using: SymmetricKey(data: key))
            return base64URL(payload) + "." + base64URL(Data(mac))
        }

        /// Claims of a state for incident-bot's `logout_user` with `arguments` on `userID` in eu's
        /// realm customers, expiring `expiresIn` seconds from now (negative: in the past).
        static func claims(_ arguments: JSONValue, userID: String, expiresIn: Int, agent: String = "incident-bot") -> JSONValue {
            // The digest: SHA-256 of the arguments as JSON with sorted keys, in hex.
            let digest = SHA256.hash(data: JSONCoding.encode(arguments)).map { String(format: "%02x", $0) }.joined()
            return [
                "id": .string("test-\(RequestID.make())"), "agent": .string(agent), "tool": "logout_user", "arguments": .string(digest),
                "tenant": "eu", "realm": "customers", "user_id": .string(userID), "expires": .int(Int(Date().timeIntervalSince1970) + expiresIn),
            ]
        }

        /// `state` with one byte of its claims changed: the last digit of its expiry, so that the
        /// claims still parse and would be accepted but for the signature.
        static func changingPayload(_ state: String) throws -> String {
            let parts = state.split(separator: ".")
            var payload = Array(try #require(data(base64URL: parts[0])))
            let text = String(decoding: payload, as: UTF8.self)
            let expires = try #require(text.range(of: #""expires":\d+"#, options: .regularExpression), "\(text)")
            // The claims are ASCII: the offset in UTF-8 is the byte's index.
            let last = text.utf8.distance(from: text.startIndex, to: expires.upperBound) - 1
            payload[last] = payload[last] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
            return base64URL(payload) + "." + parts[1]
        }

        /// `state` with one byte of its signature changed.
        static func changingSignature(_ state: String) throws -> String {
            let parts = state.split(separator: ".")
            var mac = try #require(data(base64URL: parts[1]))
            mac[mac.startIndex + 7] ^= 0x01
            return parts[0] + "." + base64URL(mac)
        }

        /// `yaml` (``StdioTests/writeConfig(_:in:)``) with `logout_user` in eu's confirm and the
        /// state key read from `keyFile`.
        static func requiringConfirmation(_ yaml: String, keyFile: String) -> String {
            yaml.replacingOccurrences(of: "  audit_log: audit.jsonl\n", with: "  audit_log: audit.jsonl\n  state_key_file: \"\(keyFile)\"\n")
                .replacingOccurrences(
                    of: "    protected_users: [break-glass-admin]\n", with: "    protected_users: [break-glass-admin]\n    confirm: [logout_user]\n")
        }

        // MARK: - Tests

        @Test("yes: the question names the user, the sessions, the tenant and the realm; only reads before it; the retry logs out once; its state is used up")
        func yes() async throws {
            try await withTwoTenants { eu, us in
                try await withAuditFile { audit in
                    try await withProxy(Self.config(eu, us), audit: audit.log) { client in
                        let first = try await client.modernCallTool(Self.logoutAlice, id: 1, meta: Self.asking, token: Self.token)
                        let state = try Self.expectQuestion(first, "Log out alice (id eu-alice) from 2 sessions on tenant eu, realm customers?")
                        Self.expectOnlyReads(eu)
                        #expect(eu.requestCount(.userSessions) == 1, "the question counts the sessions: \(eu.requestCounts)")
                        #expect(eu.requestCount(.userSearch) + eu.requestCount(.user) >= 1, "the question names the user: \(eu.requestCounts)")
                        #expect(try onlineSessions(eu, "eu-alice") == 2)

                        let confirmed = try await client.modernCallTool(
                            Self.retry(Self.logoutAlice, state: state, Self.yes), id: 2, meta: Self.asking, token: Self.token)
                        Self.expectLoggedOut(confirmed, "eu-alice")
                        #expect(eu.requestCount(.logout) == 1, "\(eu.requestCounts)")
                        #expect(try onlineSessions(eu, "eu-alice") == 0)

                        // The same state again: used up, nothing sent.
                        let replayed = try await client.modernCallTool(
                            Self.retry(Self.logoutAlice, state: state, Self.yes), id: 3, meta: Self.asking, token: Self.token)
                        Self.expectToolError(replayed, "confirmation_invalid", saying: "used already")
                        #expect(eu.requestCount(.logout) == 1, "\(eu.requestCounts)")

                        // By id, one session: the question looks the username up and says "session".
                        let bob = Self.logout(["tenant": "eu", "user_id": "eu-bob"])
                        let askBob = try await client.modernCallTool(bob, id: 4, meta: Self.asking, token: Self.token)
                        let bobState = try Self.expectQuestion(askBob, "Log out bob (id eu-bob) from 1 session on tenant eu, realm customers?")
                        #expect(eu.requestCount(.logout) == 1)
                        #expect(try onlineSessions(eu, "eu-bob") == 1)
                        let bobConfirmed = try await client.modernCallTool(
                            Self.retry(bob, state: bobState, Self.yes), id: 5, meta: Self.asking, token: Self.token)
                        Self.expectLoggedOut(bobConfirmed, "eu-bob")
                        #expect(eu.requestCount(.logout) == 2)
                        #expect(try onlineSessions(eu, "eu-bob") == 0)

                        // A protected user is refused before anyone is asked.
                        let guarded = try await client.modernCallTool(
                            Self.logout(["tenant": "eu", "username": "break-glass-admin"]), id: 6, meta: Self.asking, token: Self.token)
                        Self.expectToolError(guarded, "protected_user")
                        #expect(eu.requestCount(.logout) == 2)
                        #expect(us.adminRequestCount == 0)

                        // The first call's record and its retry's share confirmation_id; the replay has none.
                        let records = try Self.logoutRecords(audit)
                        try #require(records.count == 6, "\(records)")
                        #expect(records.map { $0["confirmation"].string } == ["required", "confirmed", "invalid", "required", "confirmed", "not_needed"])
                        let id = try #require(records[0]["confirmation_id"].string)
                        #expect(records[0]["outcome"].string == "pending" && !records[0]["error_code"].exists, "\(records[0])")
                        #expect(records[1]["confirmation_id"].string == id)
                        #expect(records[1]["outcome"].string == "ok" && records[1]["user_id"].string == "eu-alice", "\(records[1])")
                        #expect(!records[2]["confirmation_id"].exists, "\(records[2])")
                        #expect(records[2]["error_code"].string == "confirmation_invalid", "\(records[2])")
                        let bobID = try #require(records[3]["confirmation_id"].string)
                        #expect(bobID != id && records[4]["confirmation_id"].string == bobID, "\(records)")
                        #expect(records[5]["error_code"].string == "protected_user", "\(records[5])")
                        #expect(records.allSatisfy { $0["agent"].string == "incident-bot" })
                    }
                }
            }
        }

        @Test("no, a decline or a cancel: confirmation_declined, no logout, the sessions stay; the state is used up")
        func declined() async throws {
            try await withTwoTenants { eu, us in
                try await withAuditFile { audit in
                    try await withProxy(Self.config(eu, us), audit: audit.log) { client in
                        let answers: [(String, JSONValue)] = [
                            ("no", Self.no), ("decline", Self.decline), ("cancel", Self.cancel),
                            ("accept without content", ["action": "accept"]), ("confirm not a boolean", ["action": "accept", "content": ["confirm": "yes"]]),
                        ]
                        for (index, (what, answer)) in answers.enumerated() {
                            let first = try await client.modernCallTool(Self.logoutAlice, id: 10 * index + 10, meta: Self.asking, token: Self.token)
                            let state = try Self.expectQuestion(first, "Log out alice (id eu-alice) from 2 sessions on tenant eu, realm customers?")
                            let declined = try await client.modernCallTool(
                                Self.retry(Self.logoutAlice, state: state, answer), id: 10 * index + 11, meta: Self.asking, token: Self.token)
                            Self.expectToolError(declined, "confirmation_declined")
                            #expect(eu.requestCount(.logout) == 0, "\(what): \(eu.requestCounts)")
                            #expect(try onlineSessions(eu, "eu-alice") == 2, "\(what)")
                            // A no cannot become a yes with the same state.
                            let overturned = try await client.modernCallTool(
                                Self.retry(Self.logoutAlice, state: state, Self.yes), id: 10 * index + 12, meta: Self.asking, token: Self.token)
                            Self.expectToolError(overturned, "confirmation_invalid", saying: "used already")
                            #expect(eu.requestCount(.logout) == 0, "\(what): \(eu.requestCounts)")
                        }
                        Self.expectOnlyReads(eu)
                        #expect(try onlineSessions(eu, "eu-alice") == 2)

                        let records = try Self.logoutRecords(audit)
                        try #require(records.count == 3 * answers.count, "\(records)")
                        for index in answers.indices {
                            let (asked, declined, overturned) = (records[3 * index], records[3 * index + 1], records[3 * index + 2])
                            #expect(asked["confirmation"].string == "required", "\(asked)")
                            #expect(declined["confirmation"].string == "declined", "\(declined)")
                            #expect(declined["error_code"].string == "confirmation_declined", "\(declined)")
                            #expect(declined["confirmation_id"].exists && declined["confirmation_id"].string == asked["confirmation_id"].string, "\(asked) \(declined)")
                            #expect(overturned["confirmation"].string == "invalid", "\(overturned)")
                        }
                    }
                }
            }
        }

        @Test("a changed state, another key, other arguments or another agent: confirmation_invalid, nothing sent; the real retry still works")
        func invalidStates() async throws {
            try await withTwoTenants { eu, us in
                try await withAuditFile { audit in
                    try await withProxy(Self.config(eu, us), audit: audit.log) { client in
                        let first = try await client.modernCallTool(Self.logoutAlice, id: 1, meta: Self.asking, token: Self.token)
                        let state = try Self.expectQuestion(first, "Log out alice (id eu-alice) from 2 sessions on tenant eu, realm customers?")
                        eu.resetRequestLog()

                        let otherKey = Self.sign(
                            Self.claims(["tenant": "eu", "username": "alice"], userID: "eu-alice", expiresIn: 300), key: Array(repeating: 0x42, count: 32))
                        let attempts: [(String, [String: JSONValue], String, String)] = [
                            ("one byte of the claims changed", Self.logoutAlice, try Self.changingPayload(state), "changed"),
                            ("one byte of the signature changed", Self.logoutAlice, try Self.changingSignature(state), "changed"),
                            ("signed with another key", Self.logoutAlice, otherKey, "changed"),
                            ("no signature", Self.logoutAlice, String(state.split(separator: ".")[0]), "not one this proxy issued"),
                            ("not a state", Self.logoutAlice, "garbage", "not one this proxy issued"),
                            ("other arguments: bob", Self.logout(["tenant": "eu", "username": "bob"]), state, "other arguments"),
                            ("other arguments: a realm added", Self.logout(["tenant": "eu", "username": "alice", "realm": "customers"]), state, "other arguments"),
                        ]
                        for (index, (what, params, forged, words)) in attempts.enumerated() {
                            let result = try await client.modernCallTool(
                                Self.retry(params, state: forged, Self.yes), id: 10 + index, meta: Self.asking, token: Self.token)
                            Self.expectToolError(result, "confirmation_invalid", saying: words)
                            #expect(result["structuredContent"]["error"]["code"].string == "confirmation_invalid", "\(what): \(result)")
                            Self.expectNothingSent(eu)
                        }

                        // Replayed by another agent that may log out on eu.
                        let stolen = try await client.modernCallTool(
                            Self.retry(Self.logoutAlice, state: state, Self.yes), id: 30, meta: Self.asking, token: TestAgent.euResponder.token)
                        Self.expectToolError(stolen, "confirmation_invalid", saying: "another agent")
                        Self.expectNothingSent(eu)
                        #expect(try onlineSessions(eu, "eu-alice") == 2)
                        #expect(try onlineSessions(eu, "eu-bob") == 1)

                        // None of that used the state up: incident-bot's own retry goes through, once.
                        let confirmed = try await client.modernCallTool(
                            Self.retry(Self.logoutAlice, state: state, Self.yes), id: 31, meta: Self.asking, token: Self.token)
                        Self.expectLoggedOut(confirmed, "eu-alice")
                        #expect(eu.requestCount(.logout) == 1)
                        #expect(try onlineSessions(eu, "eu-alice") == 0)
                        #expect(try onlineSessions(eu, "eu-bob") == 1)

                        let records = try Self.logoutRecords(audit)
                        try #require(records.count == attempts.count + 3, "\(records)")
                        #expect(records.dropFirst().dropLast().allSatisfy { $0["confirmation"].string == "invalid" && !$0["confirmation_id"].exists }, "\(records)")
                        #expect(records[attempts.count + 1]["agent"].string == "eu-responder")
                        #expect(records.last?["confirmation"].string == "confirmed")
                        #expect(records.last?["confirmation_id"].string == records[0]["confirmation_id"].string)
                    }
                }
            }
        }

        @Test("an expired state, signed with the key of state_key_file, is refused; the same claims unexpired are accepted")
        func expiredState() async throws {
            let directory = try StdioTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try await KeycloakEmulator.withRunning(.init()) { eu in
                try seedTenant(eu, idPrefix: "eu")
                let key = Array("a state key of more than 32 bytes, for the expiry test".utf8)
                let keyFile = directory.appendingPathComponent("state.key").path
                try Data(key + [UInt8(ascii: "\n")]).write(to: URL(fileURLWithPath: keyFile))
                let path = try StdioTests.writeConfig(eu, in: directory)
                let yaml = Self.requiringConfirmation(try String(contentsOfFile: path, encoding: .utf8), keyFile: keyFile)
                try yaml.write(toFile: path, atomically: true, encoding: .utf8)
                let loaded = try ConfigLoader(environment: ["TEST_KC_SECRET": proxySecret]).load(path: path)
                #expect(loaded.config.server.stateKey?.bytes == key, "the file's bytes, its trailing newline dropped")
                #expect(loaded.config.tenants.first?.confirm == [.logoutUser])
                #expect(!"\(loaded.config.server)".contains("\(key)"), "the key is never printed")
                let loadedKey = try #require(loaded.config.server.stateKey)
                #expect("\(loadedKey)" == "<redacted>")

                try await withProxy(loaded.config) { client in
                    let arguments: JSONValue = ["tenant": "eu", "username": "alice"]
                    let params = Self.logout(arguments)
                    let expired = Self.sign(Self.claims(arguments, userID: "eu-alice", expiresIn: -1), key: key)
                    let refused = try await client.modernCallTool(Self.retry(params, state: expired, Self.yes), id: 1, meta: Self.asking, token: Self.token)
                    Self.expectToolError(refused, "confirmation_invalid", saying: "expired")
                    let longExpired = Self.sign(Self.claims(arguments, userID: "eu-alice", expiresIn: -3600), key: key)
                    let alsoRefused = try await client.modernCallTool(
                        Self.retry(params, state: longExpired, Self.yes), id: 2, meta: Self.asking, token: Self.token)
                    Self.expectToolError(alsoRefused, "confirmation_invalid", saying: "expired")
                    Self.expectNothingSent(eu)
                    #expect(try onlineSessions(eu, "eu-alice") == 2)

                    // The same format unexpired: the test reads the format and the key as the proxy does.
                    let fresh = Self.sign(Self.claims(arguments, userID: "eu-alice", expiresIn: 60), key: key)
                    let accepted = try await client.modernCallTool(Self.retry(params, state: fresh, Self.yes), id: 3, meta: Self.asking, token: Self.token)
                    Self.expectLoggedOut(accepted, "eu-alice")
                    #expect(eu.requestCount(.logout) == 1)
                    #expect(try onlineSessions(eu, "eu-alice") == 0)

                    // A state the proxy issued expires in five minutes.
                    let asked = try await client.modernCallTool(Self.logout(["tenant": "eu", "username": "bob"]), id: 4, meta: Self.asking, token: Self.token)
                    let state = try Self.expectQuestion(asked, "Log out bob (id eu-bob) from 1 session on tenant eu, realm customers?")
                    let payload = try #require(Self.data(base64URL: state.split(separator: ".")[0]))
                    let claims = JSON(text: String(decoding: payload, as: UTF8.self))
                    let expires = try #require(claims["expires"].int, "\(claims)")
                    let now = Int(Date().timeIntervalSince1970)
                    #expect((now + 290...now + 301).contains(expires), "expires \(expires), now \(now)")
                    #expect(claims["agent"].string == "incident-bot" && claims["tool"].string == "logout_user" && claims["user_id"].string == "eu-bob", "\(claims)")
                    let digest = SHA256.hash(data: JSONCoding.encode(["tenant": "eu", "username": "bob"] as JSONValue)).map { String(format: "%02x", $0) }.joined()
                    #expect(claims["arguments"].string == digest, "\(claims)")
                }
            }
        }

        @Test("a client that cannot ask (2025 era, or 2026 without elicitation) gets confirmation_required with nothing sent; dry_run still answers")
        func cannotAsk() async throws {
            try await withTwoTenants { eu, us in
                try await withAuditFile { audit in
                    try await withProxy(Self.config(eu, us), audit: audit.log) { client in
                        let legacy = try await client.callTool("logout_user", ["tenant": "eu", "username": "alice"], token: Self.token, id: 1)
                        Self.expectToolError(legacy, "confirmation_required", saying: "2026-07-28")
                        #expect(!legacy["resultType"].exists, "\(legacy)")

                        let plain = try await client.modernCallTool(Self.logoutAlice, id: 2, token: Self.token)
                        Self.expectToolError(plain, "confirmation_required", saying: "elicitation")
                        #expect(plain["resultType"].string == "complete", "\(plain)")

                        let notAnObject = try await client.modernCallTool(
                            Self.logoutAlice, id: 3, meta: MCPTestClient.modernMeta(capabilities: ["elicitation": true]), token: Self.token)
                        Self.expectToolError(notAnObject, "confirmation_required", saying: "elicitation")
                        let urlOnly = try await client.modernCallTool(
                            Self.logoutAlice, id: 8, meta: MCPTestClient.modernMeta(capabilities: ["elicitation": ["url": [:]]]), token: Self.token)
                        Self.expectToolError(urlOnly, "confirmation_required", saying: "form elicitation")
                        // Nor can a retry from a client that does not declare it.
                        let retryWithout = try await client.modernCallTool(Self.retry(Self.logoutAlice, state: "garbage", Self.yes), id: 9, token: Self.token)
                        Self.expectToolError(retryWithout, "confirmation_required")

                        // A 2025 client that sends a state anyway cannot answer either.
                        let legacyRetry = try await client.rpc(
                            "tools/call", .object(Self.retry(Self.logoutAlice, state: "garbage", Self.yes)), id: 4, token: Self.token)
                        Self.expectToolError(legacyRetry.json["result"], "confirmation_required")
                        Self.expectNothingSent(eu)
                        #expect(try onlineSessions(eu, "eu-alice") == 2)

                        // A dry run is no logout: it answers in both eras, with the session count.
                        let dryRun: JSONValue = ["tenant": "eu", "username": "alice", "dry_run": true]
                        let legacyDry = try await client.callTool("logout_user", dryRun, token: Self.token, id: 5)
                        let modernDry = try await client.modernCallTool(Self.logout(dryRun), id: 6, token: Self.token)
                        let askingDry = try await client.modernCallTool(Self.logout(dryRun), id: 7, meta: Self.asking, token: Self.token)
                        for result in [legacyDry, modernDry, askingDry] {
                            #expect(result["isError"].bool == false, "\(result)")
                            #expect(result["structuredContent"]["status"].string == "dry_run", "\(result)")
                            #expect(result["structuredContent"]["sessions"].int == 2, "\(result)")
                        }
                        Self.expectOnlyReads(eu)
                        #expect(try onlineSessions(eu, "eu-alice") == 2)
                        #expect(us.adminRequestCount == 0)

                        let records = try Self.logoutRecords(audit)
                        #expect(records.map { $0["confirmation"].string } == Array(repeating: "required", count: 6) + Array(repeating: "not_needed", count: 3))
                        #expect(records.prefix(6).allSatisfy { $0["error_code"].string == "confirmation_required" && !$0["confirmation_id"].exists }, "\(records)")
                    }
                }
            }
        }

        @Test("an agent's confirm asks on a tenant without one; other tools and agents run directly, not_needed")
        func agentConfirm() async throws {
            try await withTwoTenants { eu, us in
                try await withAuditFile { audit in
                    try await withProxy(Self.config(eu, us, tenantConfirm: false), audit: audit.log) { client in
                        let cautious = TestAgent.cautiousBot.token
                        // incident-bot has no confirm, and neither has the tenant: it logs bob out at once.
                        let direct = try await client.modernCallTool(Self.logout(["tenant": "eu", "username": "bob"]), id: 1, meta: Self.asking, token: Self.token)
                        Self.expectLoggedOut(direct, "eu-bob")
                        #expect(eu.requestCount(.logout) == 1)

                        // cautious-bot is asked on both tenants.
                        let first = try await client.modernCallTool(Self.logoutAlice, id: 2, meta: Self.asking, token: cautious)
                        let state = try Self.expectQuestion(first, "Log out alice (id eu-alice) from 2 sessions on tenant eu, realm customers?")
                        #expect(eu.requestCount(.logout) == 1)
                        #expect(try onlineSessions(eu, "eu-alice") == 2)
                        let confirmed = try await client.modernCallTool(Self.retry(Self.logoutAlice, state: state, Self.yes), id: 3, meta: Self.asking, token: cautious)
                        Self.expectLoggedOut(confirmed, "eu-alice")
                        #expect(eu.requestCount(.logout) == 2)
                        #expect(try onlineSessions(eu, "eu-alice") == 0)

                        let erin = Self.logout(["tenant": "us", "realm": "partner-acme", "user_id": "us-erin"])
                        let askErin = try await client.modernCallTool(erin, id: 4, meta: Self.asking, token: cautious)
                        let erinState = try Self.expectQuestion(askErin, "Log out erin (id us-erin) from 1 session on tenant us, realm partner-acme?")
                        Self.expectOnlyReads(us)
                        let erinDone = try await client.modernCallTool(Self.retry(erin, state: erinState, Self.yes), id: 5, meta: Self.asking, token: cautious)
                        Self.expectLoggedOut(erinDone, "us-erin")
                        #expect(us.requestCount(.logout) == 1)
                        #expect(try onlineSessions(us, realm: "partner-acme", "us-erin") == 0)

                        // Without the capability, cautious-bot is refused.
                        let refused = try await client.modernCallTool(Self.logout(["tenant": "us", "username": "alice"]), id: 6, token: cautious)
                        Self.expectToolError(refused, "confirmation_required")
                        #expect(us.requestCount(.logout) == 1)
                        #expect(try onlineSessions(us, "us-alice") == 2)

                        // A tool not in its confirm runs directly.
                        let sessions = try await client.modernCallTool(
                            ["name": "get_user_sessions", "arguments": ["tenant": "us", "username": "bob"]], id: 7, meta: Self.asking, token: cautious)
                        #expect(sessions["resultType"].string == "complete" && sessions["isError"].bool == false, "\(sessions)")
                        #expect(sessions["structuredContent"]["count"].int == 1, "\(sessions)")

                        let records = try audit.records()
                        #expect(
                            records.map { "\($0["agent"].string ?? "?") \($0["tool"].string ?? "?") \($0["confirmation"].string ?? "?")" } == [
                                "incident-bot logout_user not_needed",
                                "cautious-bot logout_user required", "cautious-bot logout_user confirmed",
                                "cautious-bot logout_user required", "cautious-bot logout_user confirmed",
                                "cautious-bot logout_user required",
                                "cautious-bot get_user_sessions not_needed",
                            ], "\(records)")
                        #expect(records[1]["confirmation_id"].exists && records[1]["confirmation_id"].string == records[2]["confirmation_id"].string)
                        #expect(records[3]["confirmation_id"].exists && records[3]["confirmation_id"].string == records[4]["confirmation_id"].string)
                        #expect(!records[0]["confirmation_id"].exists && !records[5]["confirmation_id"].exists && !records[6]["confirmation_id"].exists)
                    }
                }
            }
        }

        @Test("two replicas sharing the state key: one asks, the other finishes with the yes, once; a replica with another key refuses")
        func replicas() async throws {
            try await withTwoTenants { eu, us in
                try await withProxy(Self.config(eu, us)) { replicaA in
                    try await withProxy(Self.config(eu, us)) { replicaB in
                        try await withProxy(Self.config(eu, us, key: nil)) { ownKey in
                            #expect(replicaA.base != replicaB.base && replicaB.base != ownKey.base)
                            let first = try await replicaA.modernCallTool(Self.logoutAlice, id: 1, meta: Self.asking, token: Self.token)
                            let state = try Self.expectQuestion(first, "Log out alice (id eu-alice) from 2 sessions on tenant eu, realm customers?")
                            Self.expectOnlyReads(eu)

                            let elsewhere = try await ownKey.modernCallTool(
                                Self.retry(Self.logoutAlice, state: state, Self.yes), id: 2, meta: Self.asking, token: Self.token)
                            Self.expectToolError(elsewhere, "confirmation_invalid", saying: "changed")
                            #expect(eu.requestCount(.logout) == 0)
                            #expect(try onlineSessions(eu, "eu-alice") == 2)

                            let confirmed = try await replicaB.modernCallTool(
                                Self.retry(Self.logoutAlice, state: state, Self.yes), id: 3, meta: Self.asking, token: Self.token)
                            Self.expectLoggedOut(confirmed, "eu-alice")
                            #expect(eu.requestCount(.logout) == 1)
                            #expect(try onlineSessions(eu, "eu-alice") == 0)

                            let again = try await replicaB.modernCallTool(
                                Self.retry(Self.logoutAlice, state: state, Self.yes), id: 4, meta: Self.asking, token: Self.token)
                            Self.expectToolError(again, "confirmation_invalid", saying: "used already")
                            #expect(eu.requestCount(.logout) == 1)

                            // Used states are remembered per process: replica A, which only asked, would
                            // take this state once more (README, "A person's yes"; a shared store is not
                            // part of this version).
                        }
                    }
                }
            }
        }

        @Test("over stdio: input_required then yes logs out; without the capability or in the 2025 era, confirmation_required")
        func stdio() async throws {
            let keyDirectory = try StdioTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: keyDirectory) }
            let keyFile = keyDirectory.appendingPathComponent("state.key").path
            try Data("a stdio state key, longer than thirty-two bytes\n".utf8).write(to: URL(fileURLWithPath: keyFile))
            try await StdioTests.withStdioProxy(agent: "incident-bot", edit: { Self.requiringConfirmation($0, keyFile: keyFile) }) { eu, child, directory in
                /// Sends one line and reads its answer (one request at a time).
                func exchange(_ line: String) async throws -> JSON {
                    try child.send(line)
                    return JSON(text: try await child.nextLine())
                }
                let alice: [String: JSONValue] = Self.logout(["username": "alice"])

                let first = try await exchange(MCPTestClient.modernBody("tools/call", alice, id: 1, meta: Self.asking))
                #expect(first["id"].int == 1, "\(first)")
                let state = try Self.expectQuestion(first["result"], "Log out alice (id eu-alice) from 2 sessions on tenant eu, realm customers?")
                Self.expectOnlyReads(eu)
                #expect(try onlineSessions(eu, "eu-alice") == 2)

                let confirmed = try await exchange(MCPTestClient.modernBody("tools/call", Self.retry(alice, state: state, Self.yes), id: 2, meta: Self.asking))
                #expect(confirmed["id"].int == 2)
                Self.expectLoggedOut(confirmed["result"], "eu-alice")
                #expect(eu.requestCount(.logout) == 1)
                #expect(try onlineSessions(eu, "eu-alice") == 0)

                let bob: [String: JSONValue] = Self.logout(["username": "bob"])
                let plain = try await exchange(MCPTestClient.modernBody("tools/call", bob, id: 3))
                Self.expectToolError(plain["result"], "confirmation_required", saying: "elicitation")
                let legacy = try await exchange(#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"logout_user","arguments":{"username":"bob"}}}"#)
                #expect(legacy["id"].int == 4)
                Self.expectToolError(legacy["result"], "confirmation_required", saying: "2026-07-28")
                #expect(eu.requestCount(.logout) == 1)
                #expect(try onlineSessions(eu, "eu-bob") == 1)

                try child.closeInput()
                #expect(try await child.exitStatus(within: .seconds(15)) == 0, "stderr: \(child.standardError)")
                let text = try String(contentsOfFile: directory.appendingPathComponent("audit.jsonl").path, encoding: .utf8)
                let records = text.split(separator: "\n").map { JSON(text: String($0)) }
                #expect(records.map { $0["confirmation"].string } == ["required", "confirmed", "required", "required"], "\(text)")
                #expect(records.count == 4 && records[0]["confirmation_id"].exists && records[0]["confirmation_id"].string == records[1]["confirmation_id"].string, "\(text)")
                #expect(!text.contains("stdio state key"), "the key is never written")
            }
        }
    }
}
