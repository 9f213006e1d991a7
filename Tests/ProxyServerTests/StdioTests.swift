import Crypto
import Foundation
import KeycloakEmulator
import ProxyCore
import Testing

extension EndToEnd {
    /// The built binary, `serve --stdio`, as an MCP client would launch it.
    @Suite("serve --stdio", .timeLimit(.minutes(1)))
    struct StdioTests {
        static func hex(_ token: String) -> String {
            SHA256.hash(data: Array(token.utf8)).map { String(format: "%02x", $0) }.joined()
        }

        /// A config file for one emulated tenant, agents incident-bot and eu-helpdesk, audit to a file.
        static func writeConfig(_ emulator: KeycloakEmulator, in directory: URL) throws -> String {
            let yaml = """
                version: 1
                server:
                  listen: "127.0.0.1:0"
                  audit_log: audit.jsonl
                tenants:
                  eu:
                    url: "\(emulator.url)"
                    auth:
                      client_id: \(proxyClientID)
                      client_secret: ${TEST_KC_SECRET}
                    default_realm: customers
                    allowed_realms: [customers, "partner-*"]
                    denied_realms: [master]
                    protected_users: [break-glass-admin]
                agents:
                  incident-bot:
                    token_sha256: "\(hex(TestAgent.incidentBot.token))"
                  eu-helpdesk:
                    token_sha256: "\(hex(TestAgent.euHelpdesk.token))"
                    tools: [get_user_sessions, list_tenants]

                """
            let path = directory.appendingPathComponent("config.yaml").path
            try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }

        static func temporaryDirectory() throws -> URL {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("proxy-stdio-\(RequestID.make())")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }

        /// Runs `serve --stdio --agent <agent>` (plus `arguments`) from the built binary on a config
        /// for one seeded tenant `eu`, optionally edited by `edit`; `body` gets the emulator, the
        /// child and the config's directory. The child is stopped afterwards.
        static func withStdioProxy(
            agent: String, arguments: [String] = [], edit: (String) -> String = { $0 },
            _ body: (KeycloakEmulator, ChildProcess, URL) async throws -> Void
        ) async throws {
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try await KeycloakEmulator.withRunning(.init()) { eu in
                try seedTenant(eu, idPrefix: "eu")
                let config = try writeConfig(eu, in: directory)
                let text = try String(contentsOfFile: config, encoding: .utf8)
                try edit(text).write(toFile: config, atomically: true, encoding: .utf8)
                let child = try ChildProcess(
                    "keycloak-mcp-proxy", ["serve", "--config", config, "--stdio", "--agent", agent] + arguments,
                    environment: ["TEST_KC_SECRET": proxySecret])
                defer { child.stop() }
                try await body(eu, child, directory)
            }
        }

        @Test("initialize, tools/list and tools/call over standard input and output")
        func session() async throws {
            try await Self.withStdioProxy(agent: "incident-bot", arguments: ["--log-level", "debug"]) { eu, child, directory in

                try child.send(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"stdio-test","version":"1"}}}"#)
                let initialized = JSON(text: try await child.nextLine())
                #expect(initialized["id"].int == 1)
                #expect(initialized["result"]["serverInfo"]["name"].string == "keycloak-mcp-proxy")
                try child.send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)

                try child.send(#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#)
                let tools = JSON(text: try await child.nextLine())
                #expect(tools["id"].int == 2)
                #expect(tools["result"]["tools"].array.compactMap { $0["name"].string } == ["logout_user", "get_user_sessions", "list_tenants"])

                try child.send(#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"logout_user","arguments":{"username":"alice"}}}"#)
                let call = JSON(text: try await child.nextLine())
                #expect(call["id"].int == 3)
                #expect(call["result"]["isError"].bool == false)
                #expect(call["result"]["structuredContent"]["user_id"].string == "eu-alice")
                #expect(try onlineSessions(eu, "eu-alice") == 0)

                try child.send(#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"logout_user","arguments":{"username":"break-glass-admin"}}}"#)
                let denied = JSON(text: try await child.nextLine())
                #expect(denied["result"]["isError"].bool == true)
                #expect(denied["result"]["structuredContent"]["error"]["code"].string == "protected_user")

                try child.send("this is not json")
                let garbage = JSON(text: try await child.nextLine())
                #expect(garbage["error"]["code"].int == -32700)

                // A call sent just before end of input is still answered; then the process exits by itself.
                try child.send(#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"logout_user","arguments":{"username":"bob"}}}"#)
                try child.closeInput()
                let last = JSON(text: try await child.nextLine())
                #expect(last["id"].int == 5)
                #expect(last["result"]["isError"].bool == false)
                #expect(try await child.exitStatus(within: .seconds(15)) == 0, "stderr: \(child.standardError)")
                #expect(try onlineSessions(eu, "eu-bob") == 0)

                // One audit record per tool call, naming the agent and never the token.
                let audit = try String(contentsOfFile: directory.appendingPathComponent("audit.jsonl").path, encoding: .utf8)
                let records = audit.split(separator: "\n").map { JSON(text: String($0)) }
                #expect(records.count == 3)
                #expect(records.allSatisfy { $0["agent"].string == "incident-bot" })
                #expect(!audit.contains(TestAgent.incidentBot.token) && !audit.contains(proxySecret))
                #expect(!child.standardError.contains(proxySecret))
            }
        }

        @Test("an agent's policy applies over stdio too")
        func agentPolicy() async throws {
            try await Self.withStdioProxy(agent: "eu-helpdesk") { eu, child, _ in
                try child.send(#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
                let tools = JSON(text: try await child.nextLine())
                #expect(tools["result"]["tools"].array.compactMap { $0["name"].string } == ["get_user_sessions", "list_tenants"])
                try child.send(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"logout_user","arguments":{"username":"alice"}}}"#)
                let refused = JSON(text: try await child.nextLine())
                #expect(refused["error"]["code"].int == -32602)
                #expect(eu.adminRequestCount == 0)
                try child.closeInput()
                #expect(try await child.exitStatus(within: .seconds(15)) == 0)
            }
        }

        @Test("a line longer than server.max_body_bytes is refused and ends the session, newline or not", arguments: [true, false])
        func anOverlongLineEndsTheSession(withNewline: Bool) async throws {
            let limit = { (text: String) in text.replacing("  audit_log: audit.jsonl\n", with: "  audit_log: audit.jsonl\n  max_body_bytes: 1024\n") }
            try await Self.withStdioProxy(agent: "incident-bot", edit: limit) { eu, child, _ in
                // A message just under the limit is answered.
                let padded = #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"pad":"PAD"}}}"#
                let line = padded.replacing("PAD", with: String(repeating: "p", count: 1024 - padded.utf8.count + 3))
                #expect(line.utf8.count == 1024)
                try child.send(line)
                #expect(JSON(text: try await child.nextLine())["id"].int == 1)

                // One over it: a client that never ends its line cannot make the process hold more.
                // (32 KiB without a newline: under a pipe's buffer, so this write never waits for a reader.)
                let long = Data(repeating: UInt8(ascii: "x"), count: withNewline ? 1025 : 32 << 10)
                try child.write(withNewline ? long + Data("\n".utf8) : long)
                let refused = JSON(text: try await child.nextLine())
                #expect(refused["error"]["code"].int == -32600)
                #expect(refused["error"]["message"].string?.contains("at most 1024 bytes") == true, "\(refused)")
                #expect(try await child.exitStatus(within: .seconds(15)) == 0, "stderr: \(child.standardError)")
                #expect(child.standardError.contains("longer than the limit"))
                #expect(eu.adminRequestCount == 0)
            }
        }

        @Test("requests read from a file and answers written to one, as `< requests.jsonl > answers.jsonl` does")
        func regularFiles() async throws {
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try await KeycloakEmulator.withRunning(.init()) { eu in
                try seedTenant(eu, idPrefix: "eu")
                let config = try Self.writeConfig(eu, in: directory)
                let requests = directory.appendingPathComponent("requests.jsonl")
                let answers = directory.appendingPathComponent("answers.jsonl")
                try Data((#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"# + "\n"
                    + #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"logout_user","arguments":{"username":"alice"}}}"# + "\n").utf8)
                    .write(to: requests)
                FileManager.default.createFile(atPath: answers.path, contents: nil)
                let process = Process()
                process.executableURL = productsDirectory.appendingPathComponent("keycloak-mcp-proxy")
                process.arguments = ["serve", "--config", config, "--stdio", "--agent", "incident-bot"]
                process.environment = ["PATH": "/usr/bin:/bin", "TEST_KC_SECRET": proxySecret]
                process.standardInput = try FileHandle(forReadingFrom: requests)
                process.standardOutput = try FileHandle(forWritingTo: answers)
                process.standardError = FileHandle.nullDevice
                try process.run()
                let deadline = ContinuousClock.now + .seconds(15)
                while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                if process.isRunning { process.terminate() }
                #expect(!process.isRunning && process.terminationStatus == 0)
                let lines = try String(contentsOf: answers, encoding: .utf8).split(separator: "\n").map { JSON(text: String($0)) }
                #expect(Set(lines.compactMap { $0["id"].int }) == [1, 2])
                #expect(lines.first { $0["id"].int == 2 }?["result"]["isError"].bool == false)
                #expect(try onlineSessions(eu, "eu-alice") == 0)
            }
        }

        @Test("an unknown --agent or a broken config exits 1 with the reason on stderr")
        func startupErrors() async throws {
            let directory = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try await KeycloakEmulator.withRunning(.init()) { eu in
                let config = try Self.writeConfig(eu, in: directory)
                let unknown = try ChildProcess(
                    "keycloak-mcp-proxy", ["serve", "--config", config, "--stdio", "--agent", "nobody"],
                    environment: ["TEST_KC_SECRET": proxySecret])
                defer { unknown.stop() }
                #expect(try await unknown.exitStatus(within: .seconds(15)) == 1)
                #expect(unknown.standardError.contains("--agent nobody: no such agent"))

                let missingSecret = try ChildProcess("keycloak-mcp-proxy", ["serve", "--config", config])
                defer { missingSecret.stop() }
                #expect(try await missingSecret.exitStatus(within: .seconds(15)) == 1)
                #expect(missingSecret.standardError.contains("config.yaml:10:"), "\(missingSecret.standardError)")
                #expect(missingSecret.standardError.contains("TEST_KC_SECRET"))
            }
        }
    }
}
