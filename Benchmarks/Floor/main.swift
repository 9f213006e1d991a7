// The library stack's floor: what the proxy's listener and tenant clients do for a call, with
// nothing of the proxy in between. Every POST to /mcp sends one POST to UPSTREAM (nginx's
// logout path, with a fixed bearer token) and answers a fixed JSON-RPC result. The stack is the
// proxy's since issue 20: Hummingbird in, one AsyncHTTPClient out (HTTP/1, 32 connections, no
// tracer). Run by `TARGETS="direct floor proxy" Benchmarks/e2e/run.sh` beside the proxy row: what
// is left between the two rows is the proxy's own work. Usage: e2e-floor PORT UPSTREAM_URL
// Variants, by environment:
//   FLOOR_PINNED=1           handlers run on their connection's event loop (an executor preference)
//   FLOOR_EXECUTOR=nio       NIO's event loops are Swift Concurrency's global executor
//                            (NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor)
//   FLOOR_UPSTREAM=none      answer at once, without the upstream request
//   FLOOR_PERLOOP=1          one HTTPClient per event loop, each on that loop alone; a handler
//                            uses the client of the loop it runs on
import AsyncHTTPClient
import Hummingbird
import NIOCore
import Foundation
import HummingbirdCore
import Logging
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

// Before any task is made: from here on every job runs on one of NIO's event loops.
if ProcessInfo.processInfo.environment["FLOOR_EXECUTOR"] == "nio" {
    precondition(NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor())
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let port = Int(arguments[1]) else {
    print("usage: e2e-floor PORT UPSTREAM_URL")
    exit(2)
}
let upstream = arguments[2]

var configuration = HTTPClient.Configuration()
configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 32)
configuration.httpVersion = .http1Only
configuration.tracing.tracer = nil
let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
let perLoop = ProcessInfo.processInfo.environment["FLOOR_PERLOOP"] == "1"
let loopClients: [ObjectIdentifier: HTTPClient] = perLoop
    ? Dictionary(uniqueKeysWithValues: MultiThreadedEventLoopGroup.singleton.makeIterator().map { loop in
        (ObjectIdentifier(loop), HTTPClient(eventLoopGroup: loop, configuration: configuration))
    })
    : [:]
let clientHere: @Sendable () -> HTTPClient = {
    guard perLoop, let loop = MultiThreadedEventLoopGroup.currentEventLoop else { return client }
    return loopClients[ObjectIdentifier(loop)] ?? client
}
let answer = ByteBuffer(string: #"{"id":1,"jsonrpc":"2.0","result":{"content":[{"text":"{\"status\":\"success\"}","type":"text"}],"isError":false,"structuredContent":{"status":"success"}}}"#)

let skipUpstream = ProcessInfo.processInfo.environment["FLOOR_UPSTREAM"] == "none"

let router = Router()
router.post("/mcp") { request, _ -> Response in
    _ = try await request.body.collect(upTo: 1 << 20)
    if skipUpstream {
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: answer))
    }
    var outbound = HTTPClientRequest(url: upstream)
    outbound.method = .POST
    outbound.headers.add(name: "Authorization", value: "Bearer bench-access-token")
    let response = try await clientHere().execute(outbound, deadline: .now() + .seconds(10))
    _ = try await response.body.collect(upTo: 1 << 20)
    // Not 2xx upstream: not 2xx here, so wrk counts it.
    guard (200..<300).contains(response.status.code) else { return Response(status: .badGateway) }
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: answer))
}
let pinned = ProcessInfo.processInfo.environment["FLOOR_PINNED"] == "1"
let app = Application(
    router: router,
    server: pinned ? .pinnedHTTP1() : .http1(),
    configuration: .init(address: .hostname("127.0.0.1", port: port))
)
try await app.runService()
try await client.shutdown().get()
for loopClient in loopClients.values { try await loopClient.shutdown().get() }

/// Runs each connection's handler on the connection's own event loop.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let eventLoop: any EventLoop
    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

struct PinnedHTTP1Channel: ServerChildChannel {
    let inner: HTTP1Channel
    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        inner.setup(channel: channel, logger: logger)
    }
    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await inner.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    static func pinnedHTTP1() -> HTTPServerBuilder {
        .init { responder in PinnedHTTP1Channel(inner: HTTP1Channel(responder: responder)) }
    }
}
