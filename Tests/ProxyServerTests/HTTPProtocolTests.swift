import Foundation
import KeycloakEmulator
import ProxyCore
import ProxyServer
import ServiceLifecycle
import Testing

extension EndToEnd {
    /// The listener's HTTP/1.1, byte by byte: what curl, proxies and load balancers rely on.
    @Suite("HTTP/1.1 on the wire", .timeLimit(.minutes(1)))
    struct HTTPProtocol {
        static let call = #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_tenants","arguments":{}}}"#

        @Test("Expect: 100-continue gets 100 Continue before the body is sent")
        func expectContinue() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)])) { client in
                    let connection = try RawHTTPConnection(port: try port(of: client))
                    try connection.send(
                        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Authorization: Bearer \(TestAgent.incidentBot.token)\r\n"
                            + "Expect: 100-continue\r\nContent-Length: \(Self.call.utf8.count)\r\n\r\n")
                    let interim = await connection.read(until: "\r\n\r\n")
                    #expect(interim.hasPrefix("HTTP/1.1 100 Continue\r\n"))
                    try connection.send(Self.call)
                    let answer = await connection.read(until: "\"id\":7")
                    #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
                    #expect(answer.contains("\"tenants\""))
                }
            }
        }

        @Test("pipelined requests are answered in order on one connection")
        func pipelining() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)])) { client in
                    let connection = try RawHTTPConnection(port: try port(of: client))
                    let post = RawHTTPConnection.post(Self.call)
                    try connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + post + "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    let answers = await connection.read(until: "HTTP/1.1 200 OK", count: 3)
                    let health = try #require(answers.range(of: #"{"status":"ok"}"#))
                    let call = try #require(answers.range(of: "\"id\":7"))
                    let ready = try #require(answers.range(of: #""status":"ready""#))
                    #expect(health.lowerBound < call.lowerBound && call.lowerBound < ready.lowerBound)
                }
            }
        }

        @Test("HTTP/1.0 and Connection: close are answered, then the connection closes")
        func closing() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)])) { client in
                    let port = try port(of: client)
                    let old = try RawHTTPConnection(port: port)
                    try old.send("GET /healthz HTTP/1.0\r\n\r\n")
                    #expect(await old.read(until: #"{"status":"ok"}"#).hasPrefix("HTTP/1.0 200 OK\r\n"))
                    #expect(await old.isClosedByPeer())
                    let closing = try RawHTTPConnection(port: port)
                    try closing.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    #expect(await closing.read(until: #"{"status":"ok"}"#).contains("Connection: close\r\n"))
                    #expect(await closing.isClosedByPeer())
                }
            }
        }

        @Test("HTTP/1.0 with Connection: keep-alive is told keep-alive and served again on the same connection")
        func http10KeepAlive() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)])) { client in
                    let connection = try RawHTTPConnection(port: try port(of: client))
                    try connection.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                    let first = await connection.read(until: #"{"status":"ok"}"#)
                    #expect(first.hasPrefix("HTTP/1.0 200 OK\r\n"))
                    #expect(first.contains("Connection: keep-alive\r\n"))
                    try connection.send("GET /readyz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                    #expect(await connection.read(until: #""status":"ready""#).hasPrefix("HTTP/1.0 200 OK\r\n"))
                }
            }
        }

        @Test("a body that stops arriving is dropped after the idle timeout, and shutdown does not wait for it")
        func stalledBody() async throws {
            try await withTwoTenants { eu, _ in
                let settings = HTTPSettings(idleTimeout: .milliseconds(300))
                try await withProxy(proxyConfig([tenantConfig("eu", eu)]), settings: settings) { client in
                    // Reads wait up to 15 s: longer than the bound below, far shorter than the 60 s default.
                    let connection = try RawHTTPConnection(port: try port(of: client), timeout: .seconds(15))
                    try connection.send(
                        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Authorization: Bearer \(TestAgent.incidentBot.token)\r\nContent-Length: 1000\r\n\r\n{\"jsonrpc\"")
                    let start = ContinuousClock.now
                    #expect(await connection.isClosedByPeer())
                    #expect(ContinuousClock.now - start < .seconds(10))
                    #expect(try await client.post(Self.call, token: TestAgent.incidentBot.token).status == 200)
                }
            }
        }

        @Test("a 413 sent before the body is whole reaches the client, not a reset")
        func refusedBodyAnswerArrives() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)]), settings: HTTPSettings(maxBodySize: 64 << 10)) { client in
                    let connection = try RawHTTPConnection(port: try port(of: client))
                    try connection.send(
                        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Authorization: Bearer \(TestAgent.incidentBot.token)\r\nContent-Length: 4000000\r\n\r\n")
                    // The client goes on sending after the answer was written, as clients do.
                    try await Task.sleep(for: .milliseconds(100))
                    try connection.send(String(repeating: " ", count: 256 << 10))
                    let answer = await connection.read(until: "bytes\"")
                    #expect(answer.hasPrefix("HTTP/1.1 413 Payload Too Large\r\n"))
                    #expect(answer.contains("Content Too Large: at most 65536 bytes"))
                    #expect(await connection.isClosedByPeer())
                }
            }
        }

        @Test("graceful shutdown closes an idle connection at once, and a busy one after its answer")
        func quiescing() async throws {
            try await withTwoTenants { eu, _ in
                let runtime = try ProxyRuntime(config: proxyConfig([tenantConfig("eu", eu)]), logger: quietLogger, audit: nil)
                let http = runtime.httpService(settings: HTTPSettings())
                let group = runtime.serviceGroup([http], signals: false, maximumGracefulShutdown: .seconds(10))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    let port = try await http.waitUntilListening()
                    let idle = try RawHTTPConnection(port: port)
                    try idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    #expect(await idle.read(until: #"{"status":"ok"}"#).hasPrefix("HTTP/1.1 200 OK\r\n"))

                    eu.stall(.logout)
                    let busy = try RawHTTPConnection(port: port)
                    let logout = #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"logout_user","arguments":{"username":"alice"}}}"#
                    try busy.send(RawHTTPConnection.post(logout))
                    while eu.stalledCount == 0 { try await Task.sleep(for: .milliseconds(10)) }

                    await group.triggerGracefulShutdown()
                    #expect(await idle.isClosedByPeer())
                    try await Task.sleep(for: .milliseconds(200))
                    eu.releaseStalled()
                    let answer = await busy.read(until: "\"id\":7")
                    #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(answer)")
                    #expect(answer.contains("Connection: close\r\n"))
                    #expect(answer.contains(#""status":"success""#))
                    #expect(await busy.isClosedByPeer())
                    try await tasks.waitForAll()
                }
                #expect(try onlineSessions(eu, "eu-alice") == 0)
            }
        }

        @Test("a request that is not HTTP gets 400 and a closed connection; the server keeps serving")
        func garbage() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)])) { client in
                    let connection = try RawHTTPConnection(port: try port(of: client))
                    try connection.send("GARBAGE\r\n\r\n")
                    #expect(await connection.read(until: "\r\n\r\n").hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
                    #expect(await connection.isClosedByPeer())
                    #expect(try await client.post(Self.call, token: TestAgent.incidentBot.token).status == 200)
                }
            }
        }

        @Test("an HTTP/1.1 request without a Host, or with two, gets 400 and the reason; HTTP/1.0 needs none")
        func host() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)])) { client in
                    let port = try port(of: client)
                    for (head, reason) in [
                        ("GET /healthz HTTP/1.1\r\n\r\n", "an HTTP/1.1 request has no Host"),
                        ("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n", "a request has more than one Host"),
                    ] {
                        let connection = try RawHTTPConnection(port: port)
                        try connection.send(head)
                        let refusal = await connection.read(until: "\u{0}never sent\u{0}")
                        #expect(refusal.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(refusal)")
                        #expect(refusal.hasSuffix("\r\n\r\n\(reason)\n"), "\(refusal)")
                    }
                    let old = try RawHTTPConnection(port: port)
                    try old.send("GET /healthz HTTP/1.0\r\n\r\n")
                    #expect(await old.read(until: #"{"status":"ok"}"#).hasPrefix("HTTP/1.0 200 OK\r\n"))
                    #expect(try await client.post(Self.call, token: TestAgent.incidentBot.token).status == 200)
                }
            }
        }

        @Test("a request with two framings gets 400; a huge head gets 431 and the reason; the server keeps serving")
        func smugglingAndHugeHeads() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)])) { client in
                    let port = try port(of: client)
                    // Read by Content-Length, the GET is part of the body; read as chunked, it is
                    // a second request. Either reading would be wrong for someone: one answer.
                    let smuggled = "0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    let smuggling = try RawHTTPConnection(port: port)
                    try smuggling.send(
                        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: \(smuggled.utf8.count)\r\nTransfer-Encoding: chunked\r\n\r\n" + smuggled)
                    // Everything until the proxy closes the connection.
                    let refusal = await smuggling.read(until: "\u{0}never sent\u{0}")
                    #expect(refusal.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(refusal)")
                    #expect(refusal.components(separatedBy: "HTTP/1.1 ").count == 2, "exactly one answer")

                    let huge = try RawHTTPConnection(port: port)
                    try huge.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + String(repeating: "a", count: 70_000) + "\r\n\r\n")
                    let tooLarge = await huge.read(until: "\u{0}never sent\u{0}")
                    #expect(tooLarge.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"), "\(tooLarge)")
                    #expect(tooLarge.hasSuffix("the request head is larger than 64 KiB\n"), "\(tooLarge)")
                    #expect(await huge.isClosedByPeer())
                    #expect(try await client.post(Self.call, token: TestAgent.incidentBot.token).status == 200)
                }
            }
        }

        @Test("garbage, twice, while a call runs: the call is answered, then a 400, then the connection closes")
        func garbageWhileACallRuns() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)])) { client in
                    eu.stall(.logout)
                    let logout = #"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"logout_user","arguments":{"tenant":"eu","user_id":"eu-alice"}}}"#
                    let connection = try RawHTTPConnection(port: try port(of: client))
                    try connection.send(RawHTTPConnection.post(logout))
                    for _ in 0..<100 where eu.requestCount(.logout) == 0 { try await Task.sleep(for: .milliseconds(20)) }
                    try connection.send("GARBAGE\r\n\r\n")
                    try await Task.sleep(for: .milliseconds(100))
                    try connection.send("MORE GARBAGE\r\n\r\n")
                    try await Task.sleep(for: .milliseconds(100))
                    eu.releaseStalled()
                    let answers = await connection.read(until: "\u{0}never sent\u{0}")
                    #expect(answers.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(answers)")
                    let answer = try #require(answers.range(of: "\"id\":8"), "\(answers)")
                    let refusal = try #require(answers.range(of: "HTTP/1.1 400 Bad Request\r\n"), "\(answers)")
                    #expect(answer.upperBound <= refusal.lowerBound, "the call's answer comes first")
                    #expect(answers.components(separatedBy: "HTTP/1.1 ").count == 3, "one answer, one refusal")
                    #expect(try onlineSessions(eu, "eu-alice") == 0)
                }
            }
        }

        @Test("garbage pipelined after a request answered at once: the request's answer first, then a 400, then the close")
        func garbageAfterARequest() async throws {
            try await withTwoTenants { eu, _ in
                try await withProxy(proxyConfig([tenantConfig("eu", eu)])) { client in
                    let connection = try RawHTTPConnection(port: try port(of: client))
                    // list_tenants needs no Keycloak: it is answered before the garbage is read.
                    try connection.send(RawHTTPConnection.post(Self.call) + "GARBAGE\r\n\r\n")
                    let answers = await connection.read(until: "\u{0}never sent\u{0}")
                    #expect(answers.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(answers)")
                    let answer = try #require(answers.range(of: "\"id\":7"), "\(answers)")
                    let refusal = try #require(answers.range(of: "HTTP/1.1 400 Bad Request\r\n"), "\(answers)")
                    #expect(answer.upperBound <= refusal.lowerBound, "the request's answer comes first")
                    #expect(await connection.isClosedByPeer())
                }
            }
        }
    }
}

/// The port of the proxy `client` talks to.
private func port(of client: MCPTestClient) throws -> Int {
    try #require(URLComponents(string: client.base)?.port)
}
