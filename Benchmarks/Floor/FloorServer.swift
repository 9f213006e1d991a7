// What both SwiftNIO floors share: the upstream URL taken apart, and the listener with one
// upstream pool per event loop.
import NIOCore
import NIOPosix

/// `http://HOST:PORT/PATH`, taken apart.
struct UpstreamTarget {
    let host: String
    let port: Int
    let path: String

    init(_ url: String) {
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/")!
        let hostPort = rest[..<slash].split(separator: ":")
        host = String(hostPort[0])
        port = Int(hostPort[1])!
        path = String(rest[slash...])
    }
}

/// Serves on 127.0.0.1:`port` until the process ends: `makePool` once per event loop, and
/// `addHandlers` for each connection with its loop's pool.
func serveFloor<Pool>(
    port: Int, upstream: String, makePool: (any EventLoop, UpstreamTarget) -> Pool,
    addHandlers: @escaping (ChannelPipeline.SynchronousOperations, Pool) throws -> Void
) throws -> Never {
    let target = UpstreamTarget(upstream)
    let group = MultiThreadedEventLoopGroup.singleton
    var pools: [ObjectIdentifier: Pool] = [:]
    for loop in group.makeIterator() {
        pools[ObjectIdentifier(loop)] = makePool(loop, target)
    }
    // Each pool is touched only on its own loop.
    nonisolated(unsafe) let sharedPools = pools
    nonisolated(unsafe) let addHandlers = addHandlers
    let channel = try ServerBootstrap(group: group)
        .serverChannelOption(.backlog, value: 256)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try addHandlers(channel.pipeline.syncOperations, sharedPools[ObjectIdentifier(channel.eventLoop)]!)
            }
        }
        .bind(host: "127.0.0.1", port: port).wait()
    try channel.closeFuture.wait()
    fatalError("the server channel closed")
}
