import KeycloakAdmin
import Testing

/// Answers framed as servers and the proxies in front of them frame them, read over loopback
/// a few bytes at a time: the client gets the same result, and keeps a connection only when
/// the answer allows it.
@Suite struct UpstreamFramingTests {
    static let userJSON = #"{"id":"u-1","username":"alice","enabled":true,"email":"alice@example.com"}"#

    static func chunked(_ text: String, size: Int) -> String {
        var out = ""
        var rest = Substring(text)
        while !rest.isEmpty {
            let chunk = rest.prefix(size)
            out += String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n"
            rest = rest.dropFirst(chunk.count)
        }
        return out + "0\r\n\r\n"
    }

    @Test func aChunkedAnswerReadInPiecesKeepsItsConnection() async throws {
        let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + Self.chunked(Self.userJSON, size: 10)
        try await ScriptedUpstream.withClient(answering: .init(bytes: answer, pieceSize: 7)) { upstream, client in
            for _ in 0..<2 {
                let user = try await client.user(realm: "customers", id: "u-1")
                #expect(user == UserRepresentation(id: "u-1", username: "alice", enabled: true, email: "alice@example.com"))
            }
            // Token and both calls on one connection.
            #expect(upstream.connectionsAccepted == 1)
        }
    }

    @Test func aBodyThatEndsWithTheConnectionIsWholeAndTheNextCallReconnects() async throws {
        let answer = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + Self.userJSON
        try await ScriptedUpstream.withClient(answering: .init(bytes: answer, pieceSize: 16, closeAfter: true)) { upstream, client in
            for _ in 0..<2 {
                let user = try await client.user(realm: "customers", id: "u-1")
                #expect(user.username == "alice")
            }
            #expect(upstream.connectionsAccepted == 2)
        }
    }

    @Test func anInterimAnswerIsSkipped() async throws {
        let answer = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
        try await ScriptedUpstream.withClient(answering: .init(bytes: answer, pieceSize: 5)) { upstream, client in
            try await client.logout(realm: "customers", userID: "u-1")
            try await client.logout(realm: "customers", userID: "u-1")
            #expect(upstream.connectionsAccepted == 1)
        }
    }

    @Test func bytesNobodyAskedForCloseTheConnection() async throws {
        // Two answers to one request: the second must not be read as the next call's.
        let answer = "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"
        try await ScriptedUpstream.withClient(answering: .init(bytes: answer)) { upstream, client in
            try await client.logout(realm: "customers", userID: "u-1")
            try await client.logout(realm: "customers", userID: "u-1")
            #expect(upstream.connectionsAccepted == 2)
        }
    }

    @Test func somethingElseListeningIsNamedAsSuch() async throws {
        try await ScriptedUpstream.withClient(answering: .init(bytes: "SSH-2.0-OpenSSH_9.6\r\n\r\n")) { _, client in
            let error = await failure { try await client.logout(realm: "customers", userID: "u-1") }
            #expect(error?.code == .upstreamError)
            #expect(error?.retryable == false)
            #expect(
                error?.message
                    == "Keycloak's answer is not valid HTTP (invalid constant string); is something else listening at this URL?")
        }
    }

    @Test func anAnswerCutShortIsAClosedConnection() async throws {
        let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n" + Self.userJSON
        try await ScriptedUpstream.withClient(answering: .init(bytes: answer, closeAfter: true)) { _, client in
            let error = await failure { try await client.user(realm: "customers", id: "u-1") }
            #expect(error?.code == .upstreamUnavailable)
            #expect(error?.message == "Keycloak closed the connection")
        }
    }

    @Test func aHeadAndThenNothingTimesOutAtTheRequestTimeout() async throws {
        // The head promises 500 bytes; a few come, then nothing, and the connection stays open.
        let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"id\":"
        try await ScriptedUpstream.withClient(answering: .init(bytes: answer)) { _, client in
            let started = ContinuousClock.now
            let error = await failure { try await client.user(realm: "customers", id: "u-1") }
            let waited = ContinuousClock.now - started
            #expect(error?.code == .upstreamTimeout, "\(String(describing: error))")
            // The tenant's request timeout is 5 s: the body is held to it, not only the head.
            #expect(waited >= .seconds(5) && waited < .seconds(15), "\(waited)")
        }
    }
}
