import Foundation
import KeycloakAdmin
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// A hostile or broken Keycloak (or a proxy in front of it) that sends an answer nobody asked
/// for. HTTP/1.1 has no request ids: an answer is the next request's only by its place on the
/// connection, so a stray one must end that connection, never be read as the next call's.
@Suite struct StrayAnswerTests {
    /// Twenty rounds of: a logout refused with 403 and, in the same write, a `204` that
    /// answers nothing; then a logout of another user that Keycloak answers 500. The second of
    /// each round must get its own answer (from a new connection, or the same one once the
    /// stray bytes are dealt with); the hand-made pipelining client reported it a success on
    /// the strength of the stray 204. Rounds, because whether the stray bytes are seen before
    /// the connection goes back to the pool is a race.
    @Test func anExtraAnswerNeverTurnsAFailureIntoASuccess() async throws {
        let refusal = #"{"error":"HTTP 403 Forbidden"}"#
        let answers = [
            "refused-user": "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: \(refusal.utf8.count)\r\n\r\n\(refusal)"
                + "HTTP/1.1 204 No Content\r\n\r\n",
            "broken-user": "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        ]
        let rounds = 20
        try await PathScriptedUpstream.withClient(answers: answers) { upstream, client in
            var seconds: [String: Int] = [:]
            for round in 1...rounds {
                let first = await failure { try await client.logout(realm: "customers", userID: "refused-user") }
                #expect(first?.code == .upstreamForbidden, "round \(round): \(String(describing: first))")
                #expect(first?.upstreamStatus == 403, "round \(round)")

                let reached = upstream.requests(for: "broken-user")
                let second = await failure { try await client.logout(realm: "customers", userID: "broken-user") }
                seconds[second.map(\.description) ?? "success", default: 0] += 1
                #expect(second != nil, "round \(round): the logout was reported a success (the stray 204 taken as its answer)")
                #expect(second?.code == .upstreamError, "round \(round): \(String(describing: second))")
                #expect(second?.upstreamStatus == 500, "round \(round)")
                // It reached Keycloak, and was answered by Keycloak's answer to it.
                #expect(upstream.requests(for: "broken-user") == reached + 1, "round \(round)")
            }
            print("StrayAnswer: second logouts of \(rounds) rounds: \(seconds)")
        }
    }
}

/// A server on 127.0.0.1 that answers the token endpoint as Keycloak does, and an admin request
/// whose path holds a key of `answers` with that answer's bytes, written in one flush. Counts
/// the admin requests per key.
private final class PathScriptedUpstream: Sendable {
    private let channel: any Channel
    private let counts: Counts

    var url: String { "http://127.0.0.1:\(channel.localAddress!.port!)" }

    /// Admin requests read whose path holds `key`.
    func requests(for key: String) -> Int { counts.value.withLock { $0[key, default: 0] } }

    private init(channel: any Channel, counts: Counts) {
        self.channel = channel
        self.counts = counts
    }

    static func withClient<T>(answers: [String: String], _ body: (PathScriptedUpstream, KeycloakAdminClient) async throws -> T) async throws -> T {
        let counts = Counts()
        let channel = try await loopbackServer { Responder(answers: answers, counts: counts) }
        let upstream = PathScriptedUpstream(channel: channel, counts: counts)
        defer { channel.close(promise: nil) }
        return try await KeycloakAdminTests.withClient(scriptedTenant(upstream.url)) { client in try await body(upstream, client) }
    }

    private final class Counts: Sendable {
        let value = Mutex<[String: Int]>([:])
    }

    /// Reads each request whole (head, then `Content-Length` bytes) and answers it.
    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let answers: [String: String]
        let counts: Counts
        var received = ByteBuffer()

        init(answers: [String: String], counts: Counts) {
            self.answers = answers
            self.counts = counts
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var part = unwrapInboundIn(data)
            received.writeBuffer(&part)
            while let text = received.getString(at: received.readerIndex, length: received.readableBytes),
                let headEnd = text.range(of: "\r\n\r\n")
            {
                let head = text[..<headEnd.lowerBound]
                let length = head.lowercased().split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
                let headBytes = text[..<headEnd.upperBound].utf8.count
                guard received.readableBytes >= headBytes + length else { return }
                received.moveReaderIndex(forwardBy: headBytes + length)
                let requestLine = head.prefix { $0 != "\r" }
                let answer: String
                if requestLine.contains("/protocol/openid-connect/token") {
                    let token = #"{"access_token":"scripted-token","expires_in":300,"token_type":"Bearer"}"#
                    answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(token.utf8.count)\r\n\r\n\(token)"
                } else if let (key, bytes) = answers.first(where: { requestLine.contains($0.key) }) {
                    counts.value.withLock { $0[key, default: 0] += 1 }
                    answer = bytes
                } else {
                    answer = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                }
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
            }
        }
    }
}
