import KeycloakEmulator
import NIOHTTP1
import Testing

/// Prefix, normalisation and percent-decoding (keycloak-behavior.md sections 0 and 5).
@Suite(.timeLimit(.minutes(1)))
struct PathHandlingTests {
    @Test func authPrefixServesOnlyUnderAuth() async throws {
        try await withEmulator(.init(basePath: "/auth")) { _, client throws in
            let form = "grant_type=password&client_id=admin-cli&username=admin&password=admin"
            #expect(try await client.token(realm: "master", form, prefix: "/auth").status == 200)
            let bare = try await client.token(realm: "master", form)
            #expect(bare.status == 404)
            #expect(bare.error?.hasPrefix("RESTEASY003210: Could not find resource for full path: http://") == true)
            #expect(bare.error?.hasSuffix("/realms/master/protocol/openid-connect/token") == true)
        }
    }

    @Test func noPrefixRefusesAuth() async throws {
        try await withEmulator { _, client throws in
            let reply = try await client.token(realm: "master", "grant_type=password", prefix: "/auth")
            #expect(reply.status == 404)
            #expect(reply.error?.hasPrefix("RESTEASY003210") == true)
        }
    }

    @Test(arguments: ["/admin/realms/master/users/x/../../../other", "/admin/realms//master/users/count"])
    func unnormalisedPathsAreRefused(_ target: String) async throws {
        try await withEmulator { emulator, client throws in
            let admin = try await client.passwordToken(username: "admin", password: "admin")
            let reply = try await client.admin(.GET, target, token: admin)
            #expect(reply.status == 400)
            #expect(reply.error == "missingNormalization")
            #expect(reply.errorDescription == "Request path not normalized")
            #expect(emulator.requestLog.last?.rawTarget == target)
        }
    }

    @Test func pathParametersAreDecodedOnce() async throws {
        try await withEmulator { emulator, client throws in
            try emulator.addUser(EmulatedUser(id: "a%2Fb", username: "literal"), realm: "master")
            try emulator.addUser(EmulatedUser(id: "a/b", username: "slash"), realm: "master")
            let admin = try await client.passwordToken(username: "admin", password: "admin")
            // %2F decodes to "/": the id "a/b" exists here, so this reaches it.
            let decoded = try await client.admin(.GET, "/admin/realms/master/users/a%2Fb", token: admin)
            #expect(decoded.json["username"] as? String == "slash")
            // %252F decodes once, to the literal "a%2Fb".
            let literal = try await client.admin(.GET, "/admin/realms/master/users/a%252Fb", token: admin)
            #expect(literal.json["username"] as? String == "literal")
            // A raw slash changes the route.
            #expect(try await client.admin(.GET, "/admin/realms/master/users/a/b", token: admin).status == 404)
            #expect(emulator.requestLog.suffix(3).map(\.rawTarget) == [
                "/admin/realms/master/users/a%2Fb", "/admin/realms/master/users/a%252Fb", "/admin/realms/master/users/a/b",
            ])
        }
    }

    @Test func unicodeRealmNamesMatchAfterDecoding() async throws {
        try await withEmulator { emulator, client throws in
            emulator.addRealm(EmulatedRealm(name: "Żółw realm"))
            let admin = try await client.passwordToken(username: "admin", password: "admin")
            let reply = try await client.admin(.GET, "/admin/realms/%C5%BB%C3%B3%C5%82w%20realm/users/count", token: admin)
            #expect(reply.status == 200)
            #expect(reply.body == "0")
        }
    }
}
