import AsyncHTTPClient
import Foundation
import KeycloakEmulator
import NIOCore
import NIOHTTP1

/// An answer from the emulator, read whole.
struct Reply {
    var status: Int
    var headers: HTTPHeaders
    var body: String

    /// The body as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    /// The body as a JSON array of objects.
    var jsonArray: [[String: Any]] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [[String: Any]] ?? []
    }

    var error: String? { json["error"] as? String }
    var errorDescription: String? { json["error_description"] as? String }
}

/// A plain HTTP client aimed at one emulator; sends request targets exactly as written.
struct RawClient {
    let http: HTTPClient
    let base: String

    func send(
        _ method: HTTPMethod, _ target: String, headers: [(String, String)] = [], body: String? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: base + target)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await http.execute(request, timeout: .seconds(5))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    /// `POST {prefix}/realms/{realm}/protocol/openid-connect/token` with a form body.
    func token(realm: String, _ form: String, headers: [(String, String)] = [], prefix: String = "") async throws
        -> Reply
    {
        try await send(.POST, "\(prefix)/realms/\(realm)/protocol/openid-connect/token", headers: headers, body: form)
    }

    /// An access token from a password grant through `admin-cli`.
    func passwordToken(realm: String = "master", username: String, password: String) async throws -> String {
        let reply = try await token(
            realm: realm, "grant_type=password&client_id=admin-cli&username=\(username)&password=\(password)")
        guard let token = reply.json["access_token"] as? String else {
            throw TestFailure("no token for \(username): \(reply.status) \(reply.body)")
        }
        return token
    }

    /// An admin API call with a bearer token.
    func admin(_ method: HTTPMethod, _ target: String, token: String?) async throws -> Reply {
        try await send(method, target, headers: token.map { [("Authorization", "Bearer \($0)")] } ?? [])
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Runs `body` against a fresh emulator with a client that is always shut down.
func withEmulator(
    _ configuration: EmulatorConfiguration = .init(),
    _ body: (KeycloakEmulator, RawClient) async throws -> Void
) async throws {
    try await KeycloakEmulator.withRunning(configuration) { emulator in
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await body(emulator, RawClient(http: http, base: emulator.url))
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }
}
