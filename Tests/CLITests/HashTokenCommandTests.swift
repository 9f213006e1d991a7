import Foundation
import Testing

@Suite("keycloak-mcp-proxy hash-token", .timeLimit(.minutes(1)))
struct HashTokenCommandTests {
    // printf %s incident-bot-token-0123456789 | sha256sum
    let token = "incident-bot-token-0123456789"
    let expected = "token_sha256: \"6d1608d298ddfa23d763f144112c80b63c49fe8c69886ad5ef0c6eb78d98d9b1\"\n"

    @Test func hashesATokenFromStandardInput() async throws {
        for input in [token, token + "\n", token + "\r\n"] {
            let result = try await runProduct("keycloak-mcp-proxy", ["hash-token"], input: Data(input.utf8))
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == expected)
            #expect(!result.stderr.contains(token))
        }
    }

    @Test func theLineIsAcceptedByCheck() async throws {
        let hashed = try await runProduct("keycloak-mcp-proxy", ["hash-token"], input: Data(token.utf8))
        try await withTemporaryDirectory { dir in
            let file = dir + "/config.yaml"
            try """
                version: 1
                tenants:
                  eu:
                    url: "https://sso.eu.example.com"
                    auth: { client_id: proxy, client_secret: not-a-real-secret }
                    default_realm: customers
                agents:
                  bot:
                    \(hashed.stdout)
                """.write(toFile: file, atomically: true, encoding: .utf8)
            let check = try await runProduct("keycloak-mcp-proxy", ["check", "--config", file])
            #expect(check.status == 0, "\(check.stderr)")
            #expect(check.stdout.hasPrefix("ok: \(file): 1 tenant, 1 agent"))
        }
    }

    @Test func refusesEmptyShortAndMultiLineInputWithoutEchoingIt() async throws {
        let cases = [("", "no token on standard input"), ("short-token", "at least 16 characters"), ("first-token-0123456\nsecond-token-0123456\n", "more than one line")]
        for (input, reason) in cases {
            let result = try await runProduct("keycloak-mcp-proxy", ["hash-token"], input: Data(input.utf8))
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains(reason), "\(result.stderr)")
            if !input.isEmpty { #expect(!result.stderr.contains(input.split(separator: "\n")[0])) }
        }
    }

    @Test func generatesLongDistinctTokensAndPrintsTheirHashes() async throws {
        var tokens: Set<String> = []
        for _ in 0..<2 {
            let result = try await runProduct("keycloak-mcp-proxy", ["hash-token", "--generate"], input: Data())
            #expect(result.status == 0, "\(result.stderr)")
            let line = try #require(result.stderr.split(separator: "\n").first { $0.hasPrefix("token: ") })
            let generated = String(line.dropFirst("token: ".count))
            #expect(generated.count >= 43)
            #expect(generated.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
            // The printed hash is the generated token's: hashing it again gives the same line.
            #expect(!result.stdout.contains(generated))
            let again = try await runProduct("keycloak-mcp-proxy", ["hash-token"], input: Data(generated.utf8))
            #expect(again.stdout == result.stdout)
            #expect(result.stdout.hasPrefix("token_sha256: \"") && result.stdout.count == "token_sha256: \"\"\n".count + 64)
            tokens.insert(generated)
        }
        #expect(tokens.count == 2)
    }
}
