import KeycloakEmulator
import NIOCore
import NIOHTTP1
import NIOPosix
import ProxyCore
@testable import ProxyServer
import ServiceLifecycle
import Synchronization
import Testing

extension EndToEnd {
    /// Each connection's requests are answered by one task that lives as long as the connection:
    /// none may outlive it, whatever the connection was doing when it closed.
    /// Requests answered on the event loop (``HTTPConnectionHandler``) need no task at all.
    @Suite("Connection tasks", .timeLimit(.minutes(1)))
    struct ConnectionTasks {
        static let listTenants = #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list_tenants","arguments":{}}}"#
        static let logoutAlice = #"{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"logout_user","arguments":{"tenant":"eu","user_id":"eu-alice"}}}"#
        static let sessionsByName = #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"get_user_sessions","arguments":{"tenant":"eu","username":"alice"}}}"#

        @Test("no task for what is answered at once; one per connection, not per request, for the rest; each ends when its connection closes")
        func oneTaskPerConnection() async throws {
            try await withTwoTenants { eu, _ in
                // A request timeout longer than the response timeout: its calls are never
                // answered on the loop, but in a task, which the response timeout can cancel.
                let tenant = tenantConfig("eu", eu, request: ServerConfig.defaultResponseTimeout + .seconds(1))
                try await withListener(proxyConfig([tenant])) { http, port in
                    var connections: [RawHTTPConnection] = []
                    for _ in 0..<10 {
                        let connection = try RawHTTPConnection(port: port)
                        for _ in 0..<3 {
                            try connection.send(RawHTTPConnection.post(Self.listTenants))
                            #expect(await connection.read(until: "\"id\":7").hasPrefix("HTTP/1.1 200 OK\r\n"))
                        }
                        connections.append(connection)
                    }
                    #expect(http.connectionTasks.running == 0)
                    for connection in connections {
                        for _ in 0..<3 {
                            try connection.send(RawHTTPConnection.post(Self.sessionsByName))
                            #expect(await connection.read(until: "\"id\":9").hasPrefix("HTTP/1.1 200 OK\r\n"))
                        }
                    }
                    #expect(http.connectionTasks.running == 10)
                    connections.removeAll()  // closes them
                    #expect(await eventually { http.connectionTasks.running == 0 })
                }
            }
        }

        @Test("a request whose response timeout passed before it reached the task runs cancelled, and the task ends after it")
        func expiredJob() async throws {
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let count = ConnectionWorker.Count()
            let cancelled = Mutex<[UInt64: Bool]>([:])
            let worker = try await loop.submit {
                ConnectionWorker(loop: loop, executor: nil, count: count) { job in
                    cancelled.withLock { $0[job.number] = Task.isCancelled }
                }
            }.get()
            func job(_ number: UInt64, expired: Bool) -> ConnectionWorker.Job {
                let request = IncomingRequest(method: .POST, path: "/mcp", headers: RequestHeaders(head: ByteBuffer(), fields: []), body: nil)
                return ConnectionWorker.Job(request: request, number: number, version: .http1_1, keepAlive: true, isHead: false, expired: expired)
            }
            try await loop.submit { worker.start(job(1, expired: false)) }.get()
            #expect(await eventually { cancelled.withLock { $0[1] } == false })
            #expect(count.running == 1)
            try await loop.submit { worker.start(job(2, expired: true)) }.get()
            #expect(await eventually { count.running == 0 })
            #expect(cancelled.withLock { $0 } == [1: false, 2: true])
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
