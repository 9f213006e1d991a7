// The HTTP stack's floor: Hummingbird in, async-http-client out, as `serve` has them, and
// nothing of the proxy in between. Every POST to /mcp sends one POST to UPSTREAM (nginx's
// logout path, with a fixed bearer token) and answers a fixed JSON-RPC result. Run by
// `TARGETS=floor Benchmarks/e2e/run.sh` beside the proxy row: what is left between the two
// rows is the proxy's own work. Usage: e2e-floor PORT UPSTREAM_URL
import AsyncHTTPClient
import Hummingbird
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

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
let answer = ByteBuffer(string: #"{"id":1,"jsonrpc":"2.0","result":{"content":[{"text":"{\"status\":\"success\"}","type":"text"}],"isError":false,"structuredContent":{"status":"success"}}}"#)

let router = Router()
router.post("/mcp") { request, _ -> Response in
    _ = try await request.body.collect(upTo: 1 << 20)
    var outbound = HTTPClientRequest(url: upstream)
    outbound.method = .POST
    outbound.headers.add(name: "Authorization", value: "Bearer bench-access-token")
    let response = try await client.execute(outbound, deadline: .now() + .seconds(10))
    _ = try await response.body.collect(upTo: 1 << 20)
    // Not 2xx upstream: not 2xx here, so wrk counts it.
    guard (200..<300).contains(response.status.code) else { return Response(status: .badGateway) }
    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: answer))
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
try await client.shutdown().get()
