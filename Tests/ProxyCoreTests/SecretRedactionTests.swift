import Foundation
import KeycloakAdmin
import ProxyCore
import Testing

@Suite("Secrets never leak")
struct SecretRedactionTests {
    static let secrets = ["inline-secret-4c1d", "env-secret-9a55", "file-secret-3f2c", "agent-token-0b7e6f9a4c1d"]

    /// A config whose secrets come from every source, with mistakes around them.
    func configText(withMistakes: Bool) -> String {
        var text = """
            version: 1
            tenants:
              eu:
                url: "https://sso.eu.example.com"
                auth: { client_id: proxy, client_secret: inline-secret-4c1d }
                default_realm: customers
              us:
                url: "https://sso.us.example.com"
                auth: { client_id: proxy, client_secret: "${US_SECRET}" }
                default_realm: customers
              apac:
                url: "https://sso.apac.example.com"
                auth: { grant_type: password, username: admin, password_file: apac-password }
                default_realm: customers
            agents:
              bot:
                token: ${BOT_TOKEN}
            """
        if withMistakes {
            text += """

                  twin:
                    token: ${BOT_TOKEN}
                    tools: [logut_user]
                x-misplaced: { timeout: "${US_SECRET}" }
                """
            text = text.replacing("default_realm: customers\n  us:", with: "default_realm: customers\n    timeouts: { request: \"${US_SECRET}\" }\n    pool: { max_connections: \"${BOT_TOKEN}\" }\n  us:")
                .replacing("client_secret: inline-secret-4c1d }", with: "client_secret: inline-secret-4c1d, client_secret_file: apac-password }")
        }
        return text
    }

    func environment(_ dir: TempDirectory) -> [String: String] {
        ["US_SECRET": "env-secret-9a55", "BOT_TOKEN": "agent-token-0b7e6f9a4c1d"]
    }

    @Test func noSecretInErrorsWarningsOrSummary() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        try dir.write("apac-password", "file-secret-3f2c\n")

        let loaded = try loadConfig(configText(withMistakes: false), environment: environment(dir), directory: dir.path)
        let shown = (loaded.config.summaryLines + loaded.warnings.map(\.description) + ["\(loaded.config)", String(reflecting: loaded.config)]).joined(separator: "\n")
        #expect(!shown.isEmpty)
        for secret in Self.secrets {
            #expect(!shown.contains(secret), "\(secret) shown")
        }

        let errors = configErrors(configText(withMistakes: true), environment: environment(dir), directory: dir.path)
        #expect(errors.count >= 4)
        for secret in Self.secrets {
            #expect(!errors.joined(separator: "\n").contains(secret), "\(secret) leaked into an error")
        }
    }

    @Test func secretDescribesItselfRedacted() {
        let secret = Secret("hunter2-value")
        var dumped = ""
        dump(secret, to: &dumped)
        for text in ["\(secret)", String(describing: secret), String(reflecting: secret), dumped] {
            #expect(!text.contains("hunter2"))
        }
        #expect(secret.revealed == "hunter2-value")
    }
}
