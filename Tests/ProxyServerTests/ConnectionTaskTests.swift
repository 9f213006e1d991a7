import KeycloakEmulator
import ProxyCore
@testable import ProxyServer
import ServiceLifecycle
import Testing

extension EndToEnd {
    /// Each connection's requests are answered by one task that lives as long as the connection:
    /// none may outlive it, whatever the connection was doing when it closed.
    @Suite("Connection tasks", .timeLimit(.minutes(1)))
    struct ConnectionTasks {
        static let listTenants = #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_tenants","arguments":{}}}"#
        static let logoutAlice = #"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"logout_user","arguments":{"tenant":"eu","user_id":"eu-alice"}}}"#

        @Test("one task per connection, not per request; each ends when its connection closes")
        func oneTaskPerConnection() async throws {
            try await withTwoTenants { eu, _ in
                try await withListener(proxyConfig([tenantConfig("eu", eu)])) { http, port in
                    var connections: [RawHTTPConnection] = []
                    for _ in 0..<10 {
                        let connection = try RawHTTPConnection(port: port)
                        for _ in 0..<3 {
                            try connection.send(RawHTTPConnection.post(Self.listTenants))
                            #expect(await connection.read(until: "\"id\":7").hasPrefix("HTTP/1.1 200 OK\r\n"))
                        }
                        connections.append(connection)
                    }
                    #expect(http.connectionTasks.running == 10)
                    connections.removeAll()  // closes them
                    #expect(await eventually { http.connectionTasks.running == 0 })
                }
            }
        }

        @Test("a connection closed while its call runs: the call is carried out, then its task ends")
        func closedDuringACall() async throws {
            try await withTwoTenants { eu, _ in
                try await withListener(proxyConfig([tenantConfig("eu", eu)])) { http, port in
                    eu.stall(.logout)
                    do {
                        // A second request pipelined behind the stalled one has nobody to answer
                        // to once the connection is gone: it must not start a task.
                        let connection = try RawHTTPConnection(port: port)
                        try connection.send(RawHTTPConnection.post(Self.logoutAlice) + RawHTTPConnection.post(Self.listTenants))
                        #expect(await eventually { eu.requestCount(.logout) == 1 })
                    }
                    try await Task.sleep(for: .milliseconds(200))
                    #expect(http.connectionTasks.running == 1)
                    eu.releaseStalled()
                    #expect(await eventually { http.connectionTasks.running == 0 })
                    #expect(try onlineSessions(eu, "eu-alice") == 0)
                }
            }
        }
    }
}

/// Whether `condition` holds within `seconds`, checked every 20 ms.
private func eventually(within seconds: Int = 5, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}

/// Serves `config` on loopback, as `withProxy` does, and hands over the listener itself.
private func withListener(_ config: ProxyConfig, _ body: (HTTPService, Int) async throws -> Void) async throws {
    let runtime = try ProxyRuntime(config: config, logger: quietLogger, audit: nil)
    let http = runtime.httpService(settings: .init())
    let group = runtime.serviceGroup([http], signals: false, maximumGracefulShutdown: .seconds(5))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var failure: (any Error)?
        do {
            try await body(http, try await http.waitUntilListening())
        } catch {
            failure = error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        if let failure { throw failure }
    }
}
