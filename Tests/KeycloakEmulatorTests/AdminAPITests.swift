import KeycloakEmulator
import NIOHTTP1
import Testing

/// Admin authentication and the logout check order (keycloak-behavior.md sections 2 to 4).
@Suite(.timeLimit(.minutes(1)))
struct AdminAPITests {
    /// Realm `customers` with alice (two online sessions, one offline), `other` with a
    /// realm-admin, and master users with partial roles.
    static func seed(_ emulator: KeycloakEmulator) throws {
        emulator.addRealm(EmulatedRealm(name: "customers"))
        emulator.addRealm(EmulatedRealm(name: "other"))
        try emulator.addClient(.publicClient("admin-cli"), realm: "customers")
        try emulator.addClient(.publicClient("admin-cli"), realm: "other")
        try emulator.addUser(EmulatedUser(id: "alice-id", username: "Alice", email: "alice@example.com"), realm: "customers")
        try emulator.addUser(EmulatedUser(id: "alina-id", username: "alina"), realm: "customers")
        try emulator.addSession(realm: "customers", userID: "alice-id")
        try emulator.addSession(realm: "customers", userID: "alice-id")
        try emulator.addSession(realm: "customers", userID: "alice-id", offline: true)
        try emulator.addUser(EmulatedUser(username: "boss", password: "pw", roles: [.admin]), realm: "other")
        try emulator.addUser(
            EmulatedUser(username: "viewer", password: "pw", roles: [.viewUsers("customers")]), realm: "master")
        try emulator.addUser(EmulatedUser(username: "nobody", password: "pw"), realm: "master")
        try emulator.addUser(
            EmulatedUser(username: "manager", password: "pw", roles: [.manageUsers("customers")]), realm: "master")
    }

    @Test func logoutChecksInKeycloaksOrder() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let admin = try await client.passwordToken(username: "admin", password: "admin")
            let viewer = try await client.passwordToken(username: "viewer", password: "pw")
            let nobody = try await client.passwordToken(username: "nobody", password: "pw")
            let outsider = try await client.passwordToken(realm: "other", username: "boss", password: "pw")

            // 1. invalid token: 401 before anything else, even for an unknown realm.
            let noToken = try await client.admin(.POST, "/admin/realms/nope/users/x/logout", token: nil)
            #expect(noToken.status == 401)
            #expect(noToken.body == #"{"error":"HTTP 401 Unauthorized"}"#)
            #expect(noToken.headers.first(name: "WWW-Authenticate") == nil)
            #expect(try await client.admin(.POST, "/admin/realms/nope/users/x/logout", token: "garbage").status == 401)
            // 2. unknown realm.
            let noRealm = try await client.admin(.POST, "/admin/realms/nope/users/x/logout", token: nobody)
            #expect(noRealm.status == 404)
            #expect(noRealm.error == "Realm not found.")
            // 3. token from neither master nor the target realm.
            let foreign = try await client.admin(.POST, "/admin/realms/customers/users/alice-id/logout", token: outsider)
            #expect(foreign.status == 403)
            #expect(foreign.error == "HTTP 403 Forbidden")
            // 4. unknown user: 404 for a caller who may query users, 403 for one who may not.
            let noUser = try await client.admin(.POST, "/admin/realms/customers/users/ghost/logout", token: viewer)
            #expect(noUser.status == 404)
            #expect(noUser.error == "User not found")
            #expect(try await client.admin(.POST, "/admin/realms/customers/users/ghost/logout", token: nobody).status == 403)
            // 5. lacks manage-users.
            #expect(try await client.admin(.POST, "/admin/realms/customers/users/alice-id/logout", token: viewer).status == 403)
            #expect(try emulator.sessions(realm: "customers", userID: "alice-id").count == 3)
            // 6. success: 204, empty; online sessions gone, offline kept.
            let done = try await client.admin(.POST, "/admin/realms/customers/users/alice-id/logout", token: admin)
            #expect(done.status == 204)
            #expect(done.body.isEmpty)
            #expect(try emulator.sessions(realm: "customers", userID: "alice-id").map(\.offline) == [true])
            // Also 204 with no online sessions left.
            #expect(try await client.admin(.POST, "/admin/realms/customers/users/alice-id/logout", token: admin).status == 204)
        }
    }

    @Test func masterTokenNeedsRolesForTheTargetRealm() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            emulator.addRealm(EmulatedRealm(name: "partners"))
            try emulator.addUser(EmulatedUser(id: "p1", username: "p1"), realm: "partners")
            let manager = try await client.passwordToken(username: "manager", password: "pw")
            #expect(try await client.admin(.POST, "/admin/realms/customers/users/alice-id/logout", token: manager).status == 204)
            #expect(try await client.admin(.POST, "/admin/realms/partners/users/p1/logout", token: manager).status == 403)
        }
    }

    @Test func realmTokenActsOnItsOwnRealmOnly() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            try emulator.addUser(EmulatedUser(id: "o1", username: "o1"), realm: "other")
            let boss = try await client.passwordToken(realm: "other", username: "boss", password: "pw")
            #expect(try await client.admin(.POST, "/admin/realms/other/users/o1/logout", token: boss).status == 204)
            #expect(try await client.admin(.POST, "/admin/realms/master/users/o1/logout", token: boss).status == 403)
        }
    }

    @Test func rolesAreSnapshottedIntoTheToken() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            try emulator.addClient(
                .serviceAccount("robot", secret: "s", roles: [.manageUsers("customers")]), realm: "master")
            let form = "grant_type=client_credentials&client_id=robot&client_secret=s"
            let before = try #require(try await client.token(realm: "master", form).json["access_token"] as? String)
            try emulator.setServiceAccountRoles([], client: "robot", realm: "master")
            let after = try #require(try await client.token(realm: "master", form).json["access_token"] as? String)
            #expect(try await client.admin(.POST, "/admin/realms/customers/users/alice-id/logout", token: before).status == 204)
            #expect(try await client.admin(.POST, "/admin/realms/customers/users/alice-id/logout", token: after).status == 403)
        }
    }

    @Test func loggingOutTheCallersOwnAccountInvalidatesItsToken() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let admin = try await client.passwordToken(username: "admin", password: "admin")
            let me = try #require(
                try await client.admin(.GET, "/admin/realms/master/users?username=admin&exact=true", token: admin)
                    .jsonArray.first?["id"] as? String)
            #expect(try await client.admin(.POST, "/admin/realms/master/users/\(me)/logout", token: admin).status == 204)
            #expect(try await client.admin(.GET, "/admin/realms/master/users/count", token: admin).status == 401)
        }
    }

    @Test func revokedTokensAreRefused() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let admin = try await client.passwordToken(username: "admin", password: "admin")
            #expect(try await client.admin(.GET, "/admin/realms/customers/users/count", token: admin).status == 200)
            emulator.revokeAllTokens()
            #expect(try await client.admin(.GET, "/admin/realms/customers/users/count", token: admin).status == 401)
        }
    }

    @Test func searchSessionsCountDeleteAndLogoutAll() async throws {
        try await withEmulator { emulator, client throws in
            try Self.seed(emulator)
            let admin = try await client.passwordToken(username: "admin", password: "admin")
            let exact = try await client.admin(.GET, "/admin/realms/customers/users?username=ALICE&exact=true", token: admin)
            #expect(exact.jsonArray.map { $0["username"] as? String } == ["alice"])
            let substring = try await client.admin(.GET, "/admin/realms/customers/users?username=al", token: admin)
            #expect(substring.jsonArray.compactMap { $0["username"] as? String } == ["alice", "alina"])
            let paged = try await client.admin(
                .GET, "/admin/realms/customers/users?username=al&first=1&max=1&briefRepresentation=true", token: admin)
            #expect(paged.jsonArray.compactMap { $0["username"] as? String } == ["alina"])
            #expect(paged.jsonArray.first?["requiredActions"] == nil)
            #expect(try await client.admin(.GET, "/admin/realms/customers/users/count", token: admin).body == "2")

            let user = try await client.admin(.GET, "/admin/realms/customers/users/alice-id", token: admin)
            #expect(user.json["email"] as? String == "alice@example.com")

            let sessions = try await client.admin(.GET, "/admin/realms/customers/users/alice-id/sessions", token: admin)
            #expect(sessions.jsonArray.count == 2)
            #expect(sessions.jsonArray.first?["userId"] as? String == "alice-id")
            #expect((sessions.jsonArray.first?["clients"] as? [String: String])?.values.first == "admin-cli")
            let sessionID = try #require(sessions.jsonArray.first?["id"] as? String)
            #expect(try await client.admin(.DELETE, "/admin/realms/customers/sessions/\(sessionID)", token: admin).status == 204)
            let gone = try await client.admin(.DELETE, "/admin/realms/customers/sessions/\(sessionID)", token: admin)
            #expect(gone.status == 404)
            #expect(gone.error == "Sesssion not found")

            let all = try await client.admin(.POST, "/admin/realms/customers/logout-all", token: admin)
            #expect(all.status == 200)
            #expect(all.body == "{}")
            #expect(try emulator.sessions(realm: "customers", userID: "alice-id").map(\.offline) == [true])
        }
    }
}
