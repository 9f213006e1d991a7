import Foundation
import KeycloakAdmin
import ProxyCore
import TestSupport
import Testing

@Suite("Config file edges")
struct ConfigFileEdgeTests {
    @Test func emptyFileIsAnError() {
        #expect(configErrors("") == ["config.yaml:1:1: the file is empty; expected a mapping of settings"])
        #expect(configErrors("# just a comment\n") == ["config.yaml:1:1: the file is empty; expected a mapping of settings"])
    }

    @Test func documentThatIsAListIsAnError() {
        #expect(configErrors("- version: 1\n- tenants: {}\n") == ["config.yaml:1:1: expected a mapping, found a sequence"])
    }

    @Test func tabsAreExplained() {
        let text = baseConfig.replacing("    default_realm: customers", with: "\tdefault_realm: customers")
        #expect(configErrors(text) == ["config.yaml:8:1: found a tab character; YAML indents with spaces only"])
    }

    @Test func invalidUTF8IsAnErrorAtItsPosition() throws {
        var bytes = Array(baseConfig.replacing("default_realm: customers", with: "default_realm: cust").utf8)
        let end = try #require(bytes.firstIndex(of: UInt8(ascii: "t")).map { _ in bytes.count })
        // Break the realm name on line 8 with a lone continuation byte.
        let line8 = try #require(String(decoding: bytes, as: UTF8.self).range(of: "cust"))
        let offset = String(decoding: bytes, as: UTF8.self).utf8.distance(from: baseConfig.startIndex, to: line8.upperBound)
        bytes.insert(0x80, at: offset)
        #expect(bytes.count == end + 1)
        do {
            _ = try ConfigLoader(environment: [:]).load(bytes: bytes, fileName: "config.yaml", directory: ".")
            Issue.record("invalid UTF-8 was accepted")
        } catch {
            #expect(error.errors.map(\.description) == ["config.yaml:8:24: the file is not valid text: invalid leading UTF-8 octet at byte \(offset)"])
        }
    }

    @Test(.timeLimit(.minutes(1))) func aliasBombFailsFast() {
        var text = "version: 1\nx-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            text += "x-a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        text += baseConfig.replacing("version: 1\n", with: "")
        let errors = configErrors(text)
        #expect(errors.count == 1)
        // Level 4 holds 10^5 items: the 100,000-node cap is crossed on its line (line 6).
        #expect(errors.first?.hasPrefix("config.yaml:6:") == true)
        #expect(errors.first?.contains("aliases expand to more than 100000 nodes (an alias bomb?)") == true)
    }

    @Test(.timeLimit(.minutes(1))) func tenMegabyteFileLoadsAndPointsAtItsLastLine() async throws {
        // 10 MB of protected users, then a mistake on the very last line. Seconds of CPU in a
        // debug build: on a thread of its own, so the other suites' tasks keep running.
        let users = 400_000
        let (text, errors) = try await onThreadOfItsOwn {
            var text = baseConfig + "\n    protected_users:\n"
            text += (0..<users).map { String(format: "      - user-%08d-abcdefgh", $0) }.joined(separator: "\n")
            text += "\n    timeouts: { request: ten }\n"
            return (text, configErrors(text))
        }
        #expect(text.utf8.count > 10_000_000)
        let lastLine = 11 + users + 1
        #expect(errors == ["config.yaml:\(lastLine):26: tenants.eu.timeouts.request: expected a duration like \"10s\", found \"ten\""])

        let tenant = try await onThreadOfItsOwn { try loadConfig(text.replacing("request: ten", with: "request: 5s")).config.tenants[0] }
        #expect(tenant.protectedUsers.count == 400_000)
        #expect(tenant.protectedUsers.last == "user-00399999-abcdefgh")
    }

    @Test func filesOverTheSizeLimitAreRefusedUnread() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.path + "/huge.yaml"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 40 << 20)  // sparse: nothing is written
        try handle.close()
        do {
            _ = try ConfigLoader(environment: [:]).load(path: path)
            Issue.record("a 40 MiB file was accepted")
        } catch {
            #expect(error.errors.map(\.description) == ["\(path):1:1: cannot read the config file: it is 40.0 MiB, over the limit of 32.0 MiB"])
        }
    }

    @Test func missingFileGivesTheSystemsReason() {
        do {
            _ = try ConfigLoader(environment: [:]).load(path: "/nonexistent/config.yaml")
            Issue.record("a missing file loaded")
        } catch {
            #expect(error.errors.map(\.description) == ["/nonexistent/config.yaml:1:1: cannot read the config file: No such file or directory"])
        }
    }

    @Test func exampleConfigPasses() throws {
        let environment = ["KC_EU_SECRET": "x", "KC_US_SECRET": "y", "KC_LEGACY_PASSWORD": "z", "HELPDESK_AGENT_TOKEN": "0123456789abcdef0123"]
        let loaded = try ConfigLoader(environment: environment).load(path: packageRoot + "/config.example.yaml")
        let config = loaded.config
        #expect(config.tenants.map(\.name) == ["eu", "us", "legacy"])
        #expect(config.defaultTenant == "eu")
        #expect(config.tenant(named: "legacy")?.connection.basePath == "/auth")
        // The `<<: *defaults` merge gives `us` the shared pool; `eu` sets its own.
        #expect(config.tenant(named: "us")?.connection.pool.maxConnections == 8)
        #expect(config.tenant(named: "eu")?.connection.pool.maxConnections == 16)
        #expect(config.agents?.map(\.name) == ["incident-bot", "helpdesk-assistant"])
        #expect(config.tenant(named: "eu")?.confirm == [.logoutUser])
        // One replica needs no shared state key; the example says how to add one for more.
        #expect(loaded.warnings.map(\.message).allSatisfy { $0.contains("server.state_key_file is not") })
        #expect(loaded.warnings.count == 1)
    }
}

extension ConfigFileEdgeTests {
    /// A duration too long for any clock is refused by its range, never a crash of the loader
    /// (which also reloads a running proxy's config).
    @Test func anAbsurdlyLongDurationIsOutOfRangeNotACrash() {
        for huge in ["9999999999999999999999h", "2562047788015h2562047788015h", "1e400s"] {
            let errors = configErrors(baseConfig + "\n    timeouts: { connect: \(huge) }")
            #expect(errors.count == 1, "\(huge): \(errors)")
            #expect(errors.first?.contains("tenants.eu.timeouts.connect") == true, "\(errors)")
        }
    }
}
