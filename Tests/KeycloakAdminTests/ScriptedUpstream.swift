import Foundation
import KeycloakAdmin
import NIOCore
import NIOPosix
import Synchronization

/// A server on 127.0.0.1 that answers the token endpoint as Keycloak does, and every other
/// request with the bytes a test gives, written a piece at a time (each piece flushed on its
/// own, 2 ms apart, so that the client reads it in parts). Counts the connections it accepts.
final class ScriptedUpstream: Sendable {
    /// What to send for an admin request: the bytes, the piece size, and whether to close after.
    /// With `resetAfter`, a connection that has answered that many admin requests resets the
    /// next one instead (`SO_LINGER` 0, so the client reads a reset, not an orderly close).
    struct Script: Sendable {
        var bytes: String
        var pieceSize = Int.max
        var closeAfter = false
        var resetAfter: Int?
    }

    private let channel: any Channel
    private let accepted: Box

    var url: String { "http://127.0.0.1:\(channel.localAddress!.port!)" }
    var connectionsAccepted: Int { accepted.accepted.load(ordering: .relaxed) }

    private init(channel: any Channel, accepted: Box) {
        self.channel = channel
        self.accepted = accepted
    }

    /// Runs `body` with a client whose tenant is a running scripted upstream; both are always
    /// shut down afterwards.
    static func withClient<T>(
        answering script: Script, _ body: (ScriptedUpstream, KeycloakAdminClient) async throws -> T
    ) async throws -> T {
        let counter = Box()
        let channel = try await loopbackServer(onAccept: { counter.accepted.add(1, ordering: .relaxed) }) { Responder(script: script) }
        let upstream = ScriptedUpstream(channel: channel, accepted: counter)
        defer { channel.close(promise: nil) }
        return try await KeycloakAdminTests.withClient(scriptedTenant(upstream.url)) { client in try await body(upstream, client) }
    }

    private final class Box: Sendable {
        let accepted = Atomic<Int>(0)
    }

    /// Reads each request whole (head, then `Content-Length` bytes) and answers it.
    private final class Responder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let script: Script
        var received = ByteBuffer()
        var answered = 0

        init(script: Script) {
            self.script = script
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var part = unwrapInboundIn(data)
            received.writeBuffer(&part)
            let text = String(buffer: received)
            guard let headEnd = text.range(of: "\r\n\r\n") else { return }
            let head = text[..<headEnd.lowerBound].lowercased()
            let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
            guard text.utf8.distance(from: headEnd.upperBound.samePosition(in: text.utf8)!, to: text.utf8.endIndex) >= length else {
                return
            }
            received.clear()
            if head.contains("/protocol/openid-connect/token") {
                let token = #"{"access_token":"scripted-token","expires_in":300,"token_type":"Bearer"}"#
                let answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(token.utf8.count)\r\n\r\n\(token)"
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)), promise: nil)
            } else if answered == script.resetAfter {
                let provider = context.channel as! any SocketOptionProvider
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in bound.value.close(promise: nil) }
            } else {
                answered += 1
                send(Array(script.bytes.utf8)[...], context: context)
            }
        }

        private func send(_ bytes: ArraySlice<UInt8>, context: ChannelHandlerContext) {
            guard !bytes.isEmpty else {
                if script.closeAfter { context.close(promise: nil) }
                return
            }
            let piece = bytes.prefix(script.pieceSize)
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: piece)), promise: nil)
            let rest = bytes.dropFirst(piece.count)
            if rest.isEmpty {
                send(rest, context: context)
            } else {
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .milliseconds(2)) { bound.value.0.send(rest, context: bound.value.1) }
            }
        }
    }
}
