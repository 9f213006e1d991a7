import AsyncHTTPClient
import Foundation
import KeycloakEmulator
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ProxyCore
import ProxyServer
import ServiceLifecycle
import Synchronization

/// `server.public_url` of the OAuth tests: only a string the proxy compares `aud` with and
/// builds its metadata URL from, so it need not be where the proxy listens.
let oauthPublicURL = "https://mcp-proxy.test/mcp"
/// Where the proxy's 401 and 403 answers say its RFC 9728 metadata is.
let oauthMetadataURL = "https://mcp-proxy.test/.well-known/oauth-protected-resource/mcp"

/// A client_credentials access token from `issuer`'s token endpoint, over HTTP, as an agent
/// gets one (`issuer` as ``KeycloakEmulator/issuer(realm:)`` gives it, so the Host header and
/// the token's `iss` name 127.0.0.1). `scope`: optional scopes to ask for.
func clientCredentialsToken(issuer: String, clientID: String, secret: String, scope: String? = nil) async throws -> String {
    var request = HTTPClientRequest(url: issuer + "/protocol/openid-connect/token")
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
    var form = "grant_type=client_credentials&client_id=\(clientID)&client_secret=\(secret)"
    if let scope { form += "&scope=" + (scope.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? scope) }
    request.body = .bytes(ByteBuffer(string: form))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
    guard response.status == .ok, let token = JSON(text: body)["access_token"].string else {
        throw OAuthTestFailure("no token for \(clientID): \(response.status.code) \(body)")
    }
    return token
}

struct OAuthTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Serves `config` on loopback as `withListener` does (with `audit` when given) and hands
/// over an ``MCPTestClient`` for it and the port.
func withOAuthProxy(
    _ config: ProxyConfig, audit: AuditLog? = nil, connections: Int = 8, _ body: (MCPTestClient, Int) async throws -> Void
) async throws {
    try await withListener(config, audit: audit) { _, port in
        let client = MCPTestClient(base: "http://127.0.0.1:\(port)", connections: connections)
        do {
            try await body(client, port)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}

/// Runs an emulator that `body` may stop before the end (`stop`, idempotent), to play an
/// issuer that goes away; stopped afterwards in any case. After `stop`, its port is closed and
/// ``KeycloakEmulator/url`` may no longer be read: take the URLs and mint tokens first.
func withStoppableEmulator<T>(
    _ configuration: EmulatorConfiguration = .init(), _ body: (KeycloakEmulator, @escaping @Sendable () async -> Void) async throws -> T
) async throws -> T {
    let emulator = KeycloakEmulator(configuration: configuration)
    let group = ServiceGroup(configuration: .init(services: [emulator], logger: quietLogger))
    let running = Task { try await group.run() }
    let stopped = Mutex(false)
    let stop: @Sendable () async -> Void = {
        guard stopped.withLock({ old in defer { old = true }; return !old }) else {
            _ = await running.result
            return
        }
        await group.triggerGracefulShutdown()
        // As withRunning does: cancelled when graceful shutdown takes more than 5 s.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(5))
            running.cancel()
        }
        _ = await running.result
        watchdog.cancel()
    }
    let result: Result<T, any Error>
    do {
        try await emulator.waitUntilRunning()
        result = .success(try await body(emulator, stop))
    } catch {
        result = .failure(error)
    }
    await stop()
    return try result.get()
}

/// An HTTP/1.1 forwarder on 127.0.0.1 in front of an emulated tenant that keeps the head of
/// every request it forwards, headers included: what the emulator's own request log leaves
/// out, so that a test can see which `Authorization` the proxy sends a tenant.
final class RecordingForwarder: Sendable {
    struct Forwarded: Sendable {
        var method: String
        var uri: String
        var headers: [(String, String)]

        func header(_ name: String) -> [String] {
            headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
        }
    }

    let port: Int
    private let recorded = Mutex<[Forwarded]>([])

    private init(port: Int) {
        self.port = port
    }

    var url: String { "http://127.0.0.1:\(port)" }
    var requests: [Forwarded] { recorded.withLock { $0 } }

    /// Runs `body` with a forwarder to `upstream` (`http://host:port`); closes it afterwards.
    static func with<T>(upstream: String, _ body: (RecordingForwarder) async throws -> T) async throws -> T {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        let forwarder = RecordingForwarder(port: server.channel.localAddress?.port ?? 0)
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        let result: Result<T, any Error> = await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                try? await withThrowingDiscardingTaskGroup { connections in
                    try await server.executeThenClose { inbound in
                        for try await connection in inbound {
                            connections.addTask { await forwarder.serve(connection, upstream: upstream, client: client) }
                        }
                    }
                }
            }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(forwarder))
            } catch {
                result = .failure(error)
            }
            try? await server.channel.close()
            tasks.cancelAll()
            return result
        }
        try? await client.shutdown()
        return try result.get()
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, upstream: String, client: HTTPClient) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let received):
                    head = received
                    body.clear()
                case .body(var chunk):
                    body.writeBuffer(&chunk)
                case .end:
                    guard let head else { continue }
                    recorded.withLock { $0.append(Forwarded(method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) })) }
                    var request = HTTPClientRequest(url: upstream + head.uri)
                    request.method = head.method
                    for (name, value) in head.headers where !["host", "content-length", "connection"].contains(name.lowercased()) {
                        request.headers.add(name: name, value: value)
                    }
                    if body.readableBytes > 0 { request.body = .bytes(body) }
                    let response = try await client.execute(request, timeout: .seconds(10))
                    let answer = try await response.body.collect(upTo: 4 << 20)
                    var headers = HTTPHeaders()
                    for (name, value) in response.headers where !["content-length", "transfer-encoding", "connection"].contains(name.lowercased()) {
                        headers.add(name: name, value: value)
                    }
                    headers.add(name: "Content-Length", value: "\(answer.readableBytes)")
                    try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)))
                    if answer.readableBytes > 0 { try await outbound.write(.body(.byteBuffer(answer))) }
                    try await outbound.write(.end(nil))
                }
            }
        }
    }
}
