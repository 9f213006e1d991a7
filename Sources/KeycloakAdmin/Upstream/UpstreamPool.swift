import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A tenant's keep-alive connections: at most `pool.maxConnections` open, idle ones reused last
/// in, first out (so few stay warm), idle ones closed after `pool.idleTimeout`. A call that
/// finds every connection busy waits, first come first served, for as long as a connection may
/// take to open; then it fails with ``UpstreamTransportError/poolExhausted``. With
/// ``PoolSettings/pipeline`` above 1, a connection taken for pipelined exchanges
/// (``pipelinedConnectionOnThisLoop()``) is shared by them until the last one ends.
final class UpstreamPool: Sendable {
    private enum Handoff: Sendable {
        case connection(UpstreamConnection)
        /// A slot freed up: open a connection.
        case connect
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Handoff, any Error>
        var timer: Scheduled<Void>?
    }

    private struct State {
        var idle: [UpstreamConnection] = []
        /// Connections leased to pipelined exchanges (``UpstreamPool/pipelinedConnectionOnThisLoop()``),
        /// taking more while they have room; back to `idle` when their last one ends.
        var sharing: [UpstreamConnection] = []
        /// Connections open or opening, leased or idle.
        var open = 0
        var all: [ObjectIdentifier: UpstreamConnection] = [:]
        var waiters: [Waiter] = []
        var nextWaiter: UInt64 = 0
        var isShutDown = false

        /// An idle connection of the calling thread's event loop, taken out of `idle`; nil when
        /// there is none. (One found closing is dropped: its `closed` frees the slot.)
        mutating func idleOnThisLoop() -> UpstreamConnection? {
            while let index = idle.lastIndex(where: { $0.channel.eventLoop.inEventLoop }) {
                let connection = idle.remove(at: index)
                if connection.channel.isActive { return connection }
            }
            return nil
        }

        /// An idle connection, or the right to open one, or nil when every slot is taken.
        mutating func take(limit: Int) throws(UpstreamTransportError) -> Handoff? {
            guard !isShutDown else { throw .shutDown }
            // A connection of the calling thread's event loop first (no thread hop to send or
            // to resume), else a new one there while the limit allows, else any.
            if let connection = idleOnThisLoop() { return .connection(connection) }
            if open < limit && MultiThreadedEventLoopGroup.currentEventLoop != nil {
                open += 1
                return .connect
            }
            while let connection = idle.popLast() {
                if connection.channel.isActive { return .connection(connection) }
            }
            guard open < limit else { return nil }
            open += 1
            return .connect
        }
    }

    let endpoint: UpstreamEndpoint
    /// At most this many connections open at once.
    let limit: Int
    /// An idle connection is closed after this (``UpstreamConnection`` checks).
    let idleTimeout: TimeAmount
    /// At most this many pipelined exchanges in flight on one connection; 1: no pipelining.
    let pipeline: Int
    private let connectTimeout: TimeAmount
    private let tls: TLSContextCache?
    private let group: any EventLoopGroup
    private let state = Mutex(State())

    init(endpoint: UpstreamEndpoint, settings: ConnectionSettings, tls: TLSContextCache?, group: any EventLoopGroup) {
        self.endpoint = endpoint
        self.limit = max(1, settings.pool.maxConnections)
        self.idleTimeout = TimeAmount(settings.pool.idleTimeout)
        self.pipeline = max(1, settings.pool.pipeline)
        self.connectTimeout = TimeAmount(settings.timeouts.connect)
        self.tls = tls
        self.group = group
    }

    /// A connection for one exchange: idle, newly opened, or handed over by a call that ended.
    /// Give it back by letting its exchange end (it returns itself or closes). Waiting for a busy
    /// pool and connecting each take at most the connect timeout, and neither outlasts `deadline`.
    func lease(deadline: NIODeadline) async throws -> UpstreamConnection {
        func remaining() -> TimeAmount { max(.zero, min(connectTimeout, deadline - .now())) }
        switch try state.withLock({ state throws(UpstreamTransportError) in try state.take(limit: limit) }) {
        case .connection(let connection): return connection
        case .connect: return try await connect(timeout: remaining())
        case nil: break
        }
        switch try await waitForSlot(remaining()) {
        case .connection(let connection): return connection
        case .connect: return try await connect(timeout: remaining())
        }
    }

    /// An idle connection of the calling thread's event loop, if there is one, for an exchange
    /// run from that loop without a task (``UpstreamConnection/send(_:deadline:completion:)``);
    /// nil when a lease would have to open one, wait, or hop to another thread.
    func idleConnectionOnThisLoop() -> UpstreamConnection? {
        state.withLock { state in
            guard !state.isShutDown else { return nil }
            return state.idleOnThisLoop()
        }
    }

    /// A connection of the calling thread's event loop for one more pipelined exchange, with
    /// room for it: first one that has requests of this turn of the loop still to flush (they
    /// share a write), else an idle one, else one still waiting for answers (it waits behind
    /// them); nil when there is none. The connection stays leased to its pipelined exchanges
    /// until the last of them ends.
    func pipelinedConnectionOnThisLoop() -> UpstreamConnection? {
        state.withLock { state in
            guard !state.isShutDown else { return nil }
            // A connection's `inFlight`, `flushScheduled` and `closed` are its loop's state: read
            // only for this loop's connections.
            func hasRoom(_ connection: UpstreamConnection) -> Bool {
                connection.channel.eventLoop.inEventLoop && connection.inFlight < pipeline && !connection.closed
                    && connection.channel.isActive
            }
            if let batching = state.sharing.last(where: { hasRoom($0) && $0.flushScheduled }) { return batching }
            if let idle = state.idleOnThisLoop() {
                state.sharing.append(idle)
                return idle
            }
            return state.sharing.last(where: hasRoom)
        }
    }

    private func waitForSlot(_ wait: TimeAmount) async throws -> Handoff {
        // Cancelled already: the cancellation handler below would run before the waiter exists.
        if Task.isCancelled { throw UpstreamTransportError.cancelled }
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Handoff, any Error>) in
                let now: Result<Handoff, UpstreamTransportError>? = state.withLock { state in
                    do throws(UpstreamTransportError) {
                        if let handoff = try state.take(limit: limit) { return .success(handoff) }
                    } catch {
                        return .failure(error)
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let now { return continuation.resume(with: now) }
                let timer = group.any().scheduleTask(in: wait) { self.expire(id, UpstreamTransportError.poolExhausted) }
                let stillWaiting = state.withLock { state in
                    guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return false }
                    state.waiters[index].timer = timer
                    return true
                }
                if !stillWaiting { timer.cancel() }
            }
        } onCancel: {
            expire(id, UpstreamTransportError.cancelled)
        }
    }

    /// Ends waiter `id` with `error`, if it still waits.
    private func expire(_ id: UInt64, _ error: UpstreamTransportError) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.timer?.cancel()
        waiter?.continuation.resume(throwing: error)
    }

    private func connect(timeout: TimeAmount) async throws -> UpstreamConnection {
        let tls: NIOSSLContext?
        do {
            tls = try self.tls?.context()
        } catch {
            slotFreed()
            throw error
        }
        let serverName = endpoint.serverName
        do {
            // `any()` is the calling thread's own event loop when it runs on one. The initializer
            // runs once per address tried (IPv6 and IPv4 race), so each attempt gets its own
            // handler, and the winner's is looked up afterwards.
            let channel = try await ClientBootstrap(group: group.any())
                .connectTimeout(timeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        if let tls {
                            try pipeline.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverName))
                        }
                        // It closes itself when idle for the pool's idle timeout, with the same
                        // check as its exchanges' deadlines: no idle handler for each read and
                        // write to pass through.
                        try pipeline.addHandler(UpstreamConnection(pool: self))
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port)
                .get()
            // Gone when Keycloak closed the connection already.
            let found = try await channel.eventLoop.submit {
                try? channel.pipeline.syncOperations.handler(type: UpstreamConnection.self)
            }.get()
            // Registered, it gets its slot freed by `closed`; until then, here. Shut down: it
            // must not live on.
            let registered = state.withLock { state -> Result<UpstreamConnection, UpstreamTransportError> in
                guard !state.isShutDown else { return .failure(.shutDown) }
                guard let found, channel.isActive else { return .failure(.connectionClosed) }
                state.all[ObjectIdentifier(found)] = found
                return .success(found)
            }
            switch registered {
            case .success(let connection):
                return connection
            case .failure(let refusal):
                channel.close(promise: nil)
                slotFreed()
                throw refusal
            }
        } catch let error as UpstreamTransportError {
            throw error
        } catch {
            slotFreed()
            if case ChannelError.connectTimeout = error { throw UpstreamTransportError.connectTimeout }
            throw UpstreamTransportError.connectFailed(error)
        }
    }

    /// A connection whose exchange ended with keep-alive: to the first waiter, or idle.
    func release(_ connection: UpstreamConnection) {
        let waiter = state.withLock { state -> Waiter? in
            if let index = state.sharing.firstIndex(where: { $0 === connection }) { state.sharing.remove(at: index) }
            if state.isShutDown { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(connection)
            return nil
        }
        if let waiter {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: .connection(connection))
        } else if state.withLock({ $0.isShutDown }) {
            connection.channel.close(promise: nil)
        }
    }

    /// A connection closed: its slot goes to the first waiter, who opens a new one. (One that
    /// closed before ``connect(timeout:)`` registered it has its slot freed there.)
    func closed(_ connection: UpstreamConnection) {
        let registered = state.withLock { state in
            if let index = state.idle.firstIndex(where: { $0 === connection }) { state.idle.remove(at: index) }
            if let index = state.sharing.firstIndex(where: { $0 === connection }) { state.sharing.remove(at: index) }
            return state.all.removeValue(forKey: ObjectIdentifier(connection)) != nil
        }
        if registered { slotFreed() }
    }

    /// Takes `connection` out of the idle ones, for its idle timeout to close it; false when it
    /// is not idle (leased since, or not given back yet), and must stay open.
    func retire(_ connection: UpstreamConnection) -> Bool {
        state.withLock { state in
            guard let index = state.idle.firstIndex(where: { $0 === connection }) else { return false }
            state.idle.remove(at: index)
            return true
        }
    }

    private func slotFreed() {
        let waiter = state.withLock { state -> Waiter? in
            state.open -= 1
            guard !state.isShutDown, !state.waiters.isEmpty else { return nil }
            state.open += 1
            return state.waiters.removeFirst()
        }
        waiter?.timer?.cancel()
        waiter?.continuation.resume(returning: .connect)
    }

    /// Fails the waiting calls, closes every connection (ending the exchanges in flight) and
    /// waits until they are closed. Later leases fail with ``UpstreamTransportError/shutDown``.
    func shutdown() async {
        let (connections, waiters) = state.withLock { state in
            state.isShutDown = true
            defer {
                state.waiters = []
                state.idle = []
                state.sharing = []
            }
            return (Array(state.all.values), state.waiters)
        }
        for waiter in waiters {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: UpstreamTransportError.shutDown)
        }
        for connection in connections {
            try? await connection.channel.close()
        }
    }
}
