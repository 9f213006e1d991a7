import Foundation
import KeycloakEmulator
import NIOHTTP1
import Testing

/// Bodies byte for byte, representation shapes, and form, query and path decoding
/// (keycloak-behavior.md sections 0 to 5).
@Suite(.timeLimit(.minutes(1)))
struct WireFormatTests {
    @Test func errorBodiesAreKeycloaksBytes() async throws {
        try await withEmulator { emulator, client throws in
            let admin = try await client.passwordToken(username: "admin", password: "admin")
            let realm = try await client.admin(.GET, "/admin/realms/nope/users/count", token: admin)
            #expect(realm.body == #"{"error":"Realm not found."}"#)
            let user = try await client.admin(.GET, "/admin/realms/master/users/ghost", token: admin)
            #expect(user.body == #"{"error":"User not found"}"#)
            let path = try await client.admin(.GET, "/admin/realms/master/users/x/../count", token: admin)
            #expect(path.body == #"{"error":"missingNormalization","error_description":"Request path not normalized"}"#)
            // Slashes stay unescaped, as Keycloak writes them.
            let nowhere = try await client.admin(.GET, "/nowhere?x=1", token: admin)
            #expect(nowhere.body == #"{"error":"RESTEASY003210: Could not find resource for full path: "# + emulator.url + #"/nowhere"}"#)
            let grant = try await client.token(realm: "master", "client_id=admin-cli")
            #expect(grant.body == #"{"error":"invalid_request","error_description":"Missing form parameter: grant_type"}"#)
            #expect(grant.headers.first(name: "Content-Type") == "application/json")
        }
    }

    @Test func userRepresentationsHaveKeycloaksFields() async throws {
        try await withEmulator { emulator, client throws in
            try emulator.addUser(EmulatedUser(id: "carol-id", username: "carol", email: "c@example.com"), realm: "master")
            let admin = try await client.passwordToken(username: "admin", password: "admin")
            let full = try await client.admin(.GET, "/admin/realms/master/users/carol-id", token: admin)
            let brief = try await client.admin(.GET, "/admin/realms/master/users?username=carol&briefRepresentation=true", token: admin)
            let briefKeys: Set = ["id", "username", "email", "emailVerified", "createdTimestamp", "enabled", "access"]
            #expect(Set(full.json.keys) == briefKeys.union(["totp", "disableableCredentialTypes", "requiredActions", "notBefore"]))
            #expect(brief.jsonArray.map { Set($0.keys) } == [briefKeys])
            #expect(full.json["access"] as? [String: Bool] == [
                "manageGroupMembership": true, "view": true, "mapRoles": true, "impersonate": false, "manage": true,
            ])
        }
    }

    @Test func accessTokensCarryKeycloaksClaims() async throws {
        try await withEmulator { emulator, client throws in
            let token = try await client.passwordToken(username: "admin", password: "admin")
            let parts = token.split(separator: ".").map { part in
                var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                text += String(repeating: "=", count: (4 - text.count % 4) % 4)
                return (try? JSONSerialization.jsonObject(with: Data(base64Encoded: text) ?? Data())) as? [String: Any]
            }
            #expect(parts.count == 3)
            #expect(parts[0]?["alg"] as? String == "RS256")
            let claims = try #require(parts[1])
            #expect(claims["iss"] as? String == emulator.url + "/realms/master")
            #expect(claims["preferred_username"] as? String == "admin")
            #expect(claims["typ"] as? String == "Bearer")
            #expect(claims["azp"] as? String == "admin-cli")
            #expect(claims["sid"] is String)
            #expect((claims["exp"] as? Int).map { $0 - (claims["iat"] as? Int ?? 0) } == 60)
        }
    }

    @Test func formFieldsDecodeAsAForm() async throws {
        try await withEmulator { emulator, client throws in
            try emulator.addUser(EmulatedUser(username: "dave", password: "p w+x&y"), realm: "master")
            // `+` is a space, `%2B` a plus; the first of a repeated name wins.
            let form = "grant_type=password&client_id=admin-cli&username=dave&username=admin&password=p+w%2Bx%26y"
            #expect(try await client.token(realm: "master", form).status == 200)
            #expect(try await client.token(realm: "master", form.replacing("p+w", with: "p%20w")).status == 200)
            #expect(try await client.token(realm: "master", form.replacing("%2Bx", with: "+x")).status == 401)
        }
    }

    @Test func queryValuesDecodeAsAForm() async throws {
        try await withEmulator { emulator, client throws in
            try emulator.addUser(EmulatedUser(username: "erin", firstName: "Ann Marie"), realm: "master")
            let admin = try await client.passwordToken(username: "admin", password: "admin")
            for query in ["firstName=ann+marie", "firstName=Ann%20Marie", "firstName=ann+marie&firstName=nobody"] {
                let found = try await client.admin(.GET, "/admin/realms/master/users?\(query)", token: admin)
                #expect(found.jsonArray.compactMap { $0["username"] as? String } == ["erin"], "\(query)")
            }
        }
    }

    @Test func anEncodedSlashStaysInsideTheRealmSegment() async throws {
        try await withEmulator { emulator, client throws in
            emulator.addRealm(EmulatedRealm(name: "a/b"))
            let admin = try await client.passwordToken(username: "admin", password: "admin")
            let encoded = try await client.admin(.GET, "/admin/realms/a%2Fb/users/count", token: admin)
            #expect(encoded.status == 200)
            #expect(encoded.body == "0")
            let raw = try await client.admin(.GET, "/admin/realms/a/b/users/count", token: admin)
            #expect(raw.status == 404)
            #expect(raw.error?.hasPrefix("RESTEASY003210") == true)
            // A malformed escape matches no resource.
            #expect(try await client.admin(.GET, "/admin/realms/master/users/%zz", token: admin).status == 404)
        }
    }
}
