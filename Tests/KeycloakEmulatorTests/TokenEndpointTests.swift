import Foundation
import KeycloakEmulator
import NIOHTTP1
import Testing

/// The token endpoint's error table and success shapes (keycloak-behavior.md section 1).
@Suite(.timeLimit(.minutes(1)))
struct TokenEndpointTests {
    /// A realm with a confidential service-account client, a client without service accounts,
    /// a disabled client, and users.
    static func seed(_ emulator: KeycloakEmulator) throws {
        emulator.addRealm(EmulatedRealm(name: "customers"))
        emulator.addRealm(EmulatedRealm(name: "closed", enabled: false))
        try emulator.addClient(.publicClient("admin-cli"), realm: "customers")
        try emulator.addClient(.serviceAccount("robot", secret: "s3cr:t/+ &", roles: []), realm: "customers")
        try emulator.addClient(
            EmulatedClient(clientID: "no-sa", secret: "x", serviceAccountsEnabled: false), realm: "customers")
        try emulator.addClient(EmulatedClient(clientID: "off", secret: "x", enabled: false), realm: "customers")
        try emulator.addUser(EmulatedUser(username: "alice", password: "pw"), realm: "customers")
        try emulator.addUser(EmulatedUser(username: "bob", password: "pw", enabled: false), realm: "customers")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var realm = "customers"
        var form: String
        var headers: [(String, String)] = []
        var status: Int
        var error: String?
        var description: String?
        var testDescription: String { name }
    }

    static let errorCases: [Case] = [
        Case(name: "unknown realm", realm: "nope", form: "grant_type=password", status: 404, error: "Realm does not exist"),
        Case(name: "disabled realm", realm: "closed", form: "grant_type=password", status: 403, error: "access_denied"),
        Case(
            name: "grant_type missing", form: "client_id=admin-cli", status: 400, error: "invalid_request",
            description: "Missing form parameter: grant_type"),
        Case(
            name: "unsupported grant", form: "grant_type=implicit&client_id=admin-cli", status: 400,
            error: "unsupported_grant_type", description: "Unsupported grant_type"),
        Case(
            name: "wrong secret", form: "grant_type=client_credentials&client_id=robot&client_secret=wrong",
            status: 401, error: "unauthorized_client", description: "Invalid client or Invalid client credentials"),
        Case(
            name: "missing secret", form: "grant_type=client_credentials&client_id=robot", status: 401,
            error: "unauthorized_client", description: "Invalid client or Invalid client credentials"),
        Case(
            name: "unknown client", form: "grant_type=client_credentials&client_id=ghost&client_secret=x",
            status: 401, error: "invalid_client", description: "Invalid client or Invalid client credentials"),
        Case(
            name: "disabled client", form: "grant_type=client_credentials&client_id=off&client_secret=x",
            status: 401, error: "invalid_client", description: "Invalid client or Invalid client credentials"),
        Case(
            name: "service accounts off", form: "grant_type=client_credentials&client_id=no-sa&client_secret=x",
            status: 401, error: "unauthorized_client", description: "Client not enabled to retrieve service account"),
        Case(
            name: "wrong password", form: "grant_type=password&client_id=admin-cli&username=alice&password=no",
            status: 401, error: "invalid_grant", description: "Invalid user credentials"),
        Case(
            name: "unknown user", form: "grant_type=password&client_id=admin-cli&username=zed&password=pw",
            status: 401, error: "invalid_grant", description: "Invalid user credentials"),
        Case(
            name: "disabled user", form: "grant_type=password&client_id=admin-cli&username=bob&password=pw",
            status: 400, error: "invalid_grant", description: "Account disabled"),
        Case(
            name: "refresh token unknown", form: "grant_type=refresh_token&client_id=admin-cli&refresh_token=nope",
            status: 400, error: "invalid_grant"),
    ]

    @Test(arguments: errorCases)
    func errorTable(_ c: Case) async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let reply = try await client.token(realm: c.realm, c.form, headers: c.headers)
            #expect(reply.status == c.status)
            #expect(reply.error == c.error)
            if let description = c.description { #expect(reply.errorDescription == description) }
            #expect(reply.headers.first(name: "Content-Type") == "application/json")
            #expect(reply.headers.first(name: "Cache-Control") == "no-store")
            #expect(reply.headers.first(name: "Pragma") == "no-cache")
        }
    }

    @Test func unparseableBasicHeaderWithoutClientIDIsAChallenge() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let reply = try await client.token(
                realm: "customers", "grant_type=client_credentials", headers: [("Authorization", "Basic !!!not-base64")])
            #expect(reply.status == 401)
            #expect(reply.body.isEmpty)
            #expect(reply.headers.first(name: "WWW-Authenticate") == "Basic realm=\"customers\"")
        }
    }

    @Test func basicAuthWithURLEncodedCredentialsIssuesAServiceAccountToken() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let pair = "robot:" + "s3cr:t/+ &".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let basic = Data(pair.utf8).base64EncodedString()
            let reply = try await client.token(
                realm: "customers", "grant_type=client_credentials", headers: [("Authorization", "Basic \(basic)")])
            #expect(reply.status == 200)
            #expect(reply.json["expires_in"] as? Int == 300)
            #expect(reply.json["refresh_expires_in"] as? Int == 0)
            #expect(reply.json["token_type"] as? String == "Bearer")
            #expect(reply.json["refresh_token"] == nil)
            #expect(reply.json["session_state"] == nil)
            #expect((reply.json["access_token"] as? String)?.split(separator: ".").count == 3)
        }
    }

    @Test func formClientAuthWorksToo() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let secret = "s3cr:t/+ &".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let reply = try await client.token(
                realm: "customers", "grant_type=client_credentials&client_id=robot&client_secret=\(secret)")
            #expect(reply.status == 200)
            #expect(reply.json["access_token"] is String)
        }
    }

    @Test func passwordGrantInMasterHasKeycloaksShape() async throws {
        try await withEmulator { _, client throws in
            let reply = try await client.token(
                realm: "master", "grant_type=password&client_id=admin-cli&username=admin&password=admin")
            #expect(reply.status == 200)
            #expect(reply.json["expires_in"] as? Int == 60)
            #expect(reply.json["refresh_expires_in"] as? Int == 1800)
            #expect(reply.json["refresh_token"] is String)
            #expect(reply.json["session_state"] is String)
            #expect(reply.json["not-before-policy"] as? Int == 0)
            #expect(reply.headers.first(name: "Cache-Control") == "no-store")
        }
    }

    @Test func lifespanIsSettableDownToOneSecond() async throws {
        try await withEmulator { emulator, client throws in
            try emulator.setAccessTokenLifespan(.milliseconds(10), realm: "master")  // clamped to 1 s
            let requested = ContinuousClock.now
            let token = try await client.passwordToken(username: "admin", password: "admin")
            let fresh = try await client.admin(.GET, "/admin/realms/master/users/count", token: token).status
            // Valid while inside its second (a loaded machine may take longer than that to ask).
            if ContinuousClock.now - requested < .milliseconds(900) {
                #expect(fresh == 200)
            }
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await client.admin(.GET, "/admin/realms/master/users/count", token: token).status == 401)
        }
    }

    @Test func refreshRotatesAndFailsAfterAdminLogoutOfTheSession() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let login = try await client.token(
                realm: "customers", "grant_type=password&client_id=admin-cli&username=alice&password=pw")
            let first = try #require(login.json["refresh_token"] as? String)
            let refreshed = try await client.token(
                realm: "customers", "grant_type=refresh_token&client_id=admin-cli&refresh_token=\(first)")
            #expect(refreshed.status == 200)
            let second = try #require(refreshed.json["refresh_token"] as? String)
            #expect(second != first)

            let admin = try await client.passwordToken(username: "admin", password: "admin")
            let alice = try #require(
                try await client.admin(.GET, "/admin/realms/customers/users?username=alice&exact=true", token: admin)
                    .jsonArray.first?["id"] as? String)
            #expect(try await client.admin(.POST, "/admin/realms/customers/users/\(alice)/logout", token: admin).status == 204)
            let after = try await client.token(
                realm: "customers", "grant_type=refresh_token&client_id=admin-cli&refresh_token=\(second)")
            #expect(after.status == 400)
            #expect(after.error == "invalid_grant")
            #expect(after.errorDescription == "Session not active")
        }
    }

    @Test func offlineSessionSurvivesLogoutButItsRefreshTokenIsStale() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let login = try await client.token(
                realm: "customers",
                "grant_type=password&client_id=admin-cli&username=alice&password=pw&scope=offline_access")
            let refresh = try #require(login.json["refresh_token"] as? String)
            let admin = try await client.passwordToken(username: "admin", password: "admin")
            let alice = try #require(
                try await client.admin(.GET, "/admin/realms/customers/users?username=alice&exact=true", token: admin)
                    .jsonArray.first?["id"] as? String)
            try await Task.sleep(for: .milliseconds(5))
            #expect(try await client.admin(.POST, "/admin/realms/customers/users/\(alice)/logout", token: admin).status == 204)
            #expect(try emulator.sessions(realm: "customers", userID: alice).map(\.offline) == [true])
            let after = try await client.token(
                realm: "customers", "grant_type=refresh_token&client_id=admin-cli&refresh_token=\(refresh)")
            #expect(after.status == 400)
            #expect(after.errorDescription == "Stale token")
        }
    }
}
