import HTTPWire
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// One keep-alive HTTP/1.1 connection to a tenant's Keycloak, running one exchange at a time,
/// or with pipelining (``PoolSettings/pipeline``) several idempotent ones sent from its event
/// loop, answered in order.
///
/// The last handler of its channel's pipeline (after TLS, if any): it writes each request as
/// bytes (``UpstreamRequest/wire(host:allocator:)``) and reads the answer with its own
/// ``UpstreamResponseParser``. Its state is touched on the channel's event loop
/// only (hence `@unchecked Sendable`); ``run(_:deadline:)`` may be called from anywhere, and
/// ``send(_:deadline:completion:)``, its form without a task, from that event loop only.
/// After a whole answer that allows keep-alive it goes back to its ``UpstreamPool``; anything
/// else (an error, the deadline, a cancelled caller, `Connection: close`) closes it, and so does
/// the pool's idle timeout passing with no exchange.
final class UpstreamConnection: ChannelInboundHandler, NIOScheduledCallbackHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Who gets an exchange's answer: a task waiting in ``run(_:deadline:)``, or a callback on
    /// the event loop (``send(_:deadline:completion:)``).
    private enum Waiter {
        case task(UnsafeContinuation<UpstreamResponse, any Error>)
        case callback((Result<UpstreamResponse, any Error>) -> Void)

        func resume(with result: Result<UpstreamResponse, any Error>) {
            switch self {
            case .task(let continuation): continuation.resume(with: result)
            case .callback(let completion): completion(result)
            }
        }
    }

    private struct Exchange {
        let id: UInt64
        /// Resumed exactly once: by whoever takes the exchange out of ``exchanges``.
        let waiter: Waiter
        let deadline: NIODeadline
        var status = 0
        var keepAlive = true
        var body: ByteBuffer?
        /// A byte of the answer has come.
        var answered = false
        let isHead: Bool
    }

    private let pool: UpstreamPool
    private var context: ChannelHandlerContext?
    /// The exchanges sent and not answered, oldest first: the first is the one being answered.
    /// More than one only when pipelined.
    private var exchanges = CircularBuffer<Exchange>(initialCapacity: 1)
    /// A flush of the pipelined requests written in this turn of the event loop is due at its
    /// end (so another request of this turn shares it); read on the channel's event loop only.
    private(set) var flushScheduled = false
    private var parser = UpstreamResponseParser()
    /// Bytes of an answer that are not an event yet (a head or chunk line cut by a read).
    private var pending: ByteBuffer?
    /// The one check of the connection's deadlines, and when it is due: the exchange in
    /// flight's, or when there is none, the idle timeout's. Left armed when an exchange ends, so
    /// that the next one usually needs none (it re-arms itself for a later deadline when it
    /// fires). Scheduling and cancelling one per exchange cost ~4 % of the CPU at 64 calls in
    /// flight: NIO cancels by searching its timer heap.
    private var armed: (check: NIOScheduledCallback, at: NIODeadline)?
    /// When the last exchange ended (or the connection opened).
    private var idleSince = NIODeadline.now()
    /// Exchanges answered whole on this connection.
    private var served = 0
    /// Set once the connection is being closed: no check is armed after that, and it takes no
    /// more exchanges (a TLS connection stays active until the peer's close_notify or a
    /// timeout). (A check NIO has already taken off its heap for the current tick still runs
    /// when cancelled.) Read on the channel's event loop only.
    private(set) var closed = false
    /// The exchange whose caller went away before it began.
    private var cancelledBeforeStart: UInt64?
    private static let exchangeIDs = Atomic<UInt64>(0)
    /// The channel, set when the handler joins the pipeline (before the connection is leased).
    private(set) nonisolated(unsafe) var channel: (any Channel)!

    init(pool: UpstreamPool) {
        self.pool = pool
    }

    /// Exchanges sent and not answered yet; read on the channel's event loop only.
    var inFlight: Int { exchanges.count }

    /// Sends `request` and waits for its whole answer until `deadline`.
    func run(_ request: UpstreamRequest, deadline: NIODeadline) async throws -> UpstreamResponse {
        let eventLoop = channel.eventLoop
        if Task.isCancelled {
            // Not sent at all; the connection stays good for the next caller.
            if eventLoop.inEventLoop {
                giveBack()
            } else {
                eventLoop.execute { self.giveBack() }
            }
            throw UpstreamTransportError.cancelled
        }
        let id = Self.exchangeIDs.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                if eventLoop.inEventLoop {
                    start(id, request, deadline: deadline, .task(continuation))
                } else {
                    eventLoop.execute { self.start(id, request, deadline: deadline, .task(continuation)) }
                }
            }
        } onCancel: {
            eventLoop.execute { self.cancel(id) }
        }
    }

    /// Sends `request` and calls `completion` on the channel's event loop with its whole answer
    /// (or why there is none) by `deadline`: ``run(_:deadline:)`` without a task, for a caller
    /// on that event loop (it must be), which has no cancellation but the deadline.
    ///
    /// `pipelined`: the request may go behind others still unanswered, and is flushed with the
    /// others written in the same turn of the event loop, at its end. A pipelined request that
    /// the connection loses before its answer (it closed, or an exchange before it failed or
    /// passed its deadline) fails with ``UpstreamTransportError/staleConnection``, to be sent
    /// again: only idempotent requests may be pipelined.
    func send(
        _ request: UpstreamRequest, deadline: NIODeadline, pipelined: Bool = false,
        completion: @escaping (Result<UpstreamResponse, any Error>) -> Void
    ) {
        channel.eventLoop.preconditionInEventLoop()
        start(Self.exchangeIDs.add(1, ordering: .relaxed).newValue, request, deadline: deadline, .callback(completion), pipelined: pipelined)
    }

    private func start(_ id: UInt64, _ request: UpstreamRequest, deadline: NIODeadline, _ waiter: Waiter, pipelined: Bool = false) {
        guard let context, context.channel.isActive else {
            // Closed before the pool heard of it; nothing was sent. Stale when it had served.
            channel.close(promise: nil)
            return waiter.resume(with: .failure(served > 0 ? UpstreamTransportError.staleConnection : .connectionClosed))
        }
        guard cancelledBeforeStart != id else {
            context.close(promise: nil)
            return waiter.resume(with: .failure(UpstreamTransportError.cancelled))
        }
        guard exchanges.isEmpty || pipelined else {
            // A connection leased twice would mix two answers: refuse the second, never crash.
            assertionFailure("a leased connection runs one exchange at a time")
            return waiter.resume(with: .failure(UpstreamTransportError.connectionClosed))
        }
        guard check(by: deadline, context: context) else {
            // Closing already (a pipelined request may find it so), or an event loop that is
            // shutting down refuses; nothing would answer. Nothing was sent: a pipelined request
            // goes again.
            context.close(promise: nil)
            return waiter.resume(with: .failure(pipelined ? UpstreamTransportError.staleConnection : .connectionClosed))
        }
        let isHead = request.method == .HEAD
        if exchanges.isEmpty { parser.expectAnswer(toHead: isHead) }
        exchanges.append(Exchange(id: id, waiter: waiter, deadline: deadline, isHead: isHead))
        let bytes = wrapOutboundOut(request.wire(host: pool.endpoint.hostHeader, allocator: context.channel.allocator))
        guard pipelined else { return context.writeAndFlush(bytes, promise: nil) }
        context.write(bytes, promise: nil)
        guard !flushScheduled else { return }
        flushScheduled = true
        // NIO runs tasks after the I/O events of a turn: the requests of every call read in
        // this turn go out in one write(2), and Keycloak is woken once for them.
        context.eventLoop.assumeIsolated().execute {
            self.flushScheduled = false
            self.context?.flush()
        }
    }

    /// Makes sure the check comes at `deadline` or before: a check armed for later would come
    /// too late, so it is moved (rare: deadlines mostly only grow). False if the loop refuses.
    private func check(by deadline: NIODeadline, context: ChannelHandlerContext) -> Bool {
        guard !closed else { return false }
        if let armed {
            guard armed.at > deadline else { return true }
            armed.check.cancel()
        }
        // The connection itself is the callback: no closure or promise per arming.
        armed = (try? context.eventLoop.assumeIsolated().scheduleCallback(at: deadline, handler: self)).map { ($0, deadline) }
        return armed != nil
    }

    /// The armed check is due. With an exchange in flight: it passed its deadline, or has a
    /// later one (it began after the check was armed), to be checked then. Without: the
    /// connection has been idle for the pool's idle timeout (then it closes), or not yet.
    func handleScheduledCallback(eventLoop: some EventLoop) {
        // NIO runs a check it had taken off its heap for this tick even when cancelled since:
        // after a close, or when it was moved earlier. Only the one armed last counts, and it is
        // never due later than now when it fires.
        let now = NIODeadline.now()
        guard let context, !closed else { return }
        if let armed, armed.at > now { return }
        armed = nil
        let due = exchanges.lazy.map(\.deadline).min() ?? idleSince + pool.idleTimeout
        if now < due {
            if !check(by: due, context: context) { fail(UpstreamTransportError.connectionClosed) }
        } else if !exchanges.isEmpty {
            // Each whose deadline has passed timed out; one behind with time left loses its
            // place: stale, to be sent again.
            fail { exchange, _ in exchange.deadline <= now ? UpstreamTransportError.timedOut : .staleConnection }
        } else if pool.retire(self) {
            context.close(promise: nil)
        }
        // Else it is leased (or new and not given back yet): the exchange it is for arms the
        // check again for its deadline.
    }

    /// Back to the pool, idle, with its idle timeout checked.
    private func giveBack() {
        guard let context, context.channel.isActive else { return }
        idleSince = .now()
        // Usually armed for sooner already; moved only when the idle timeout is the shorter.
        _ = check(by: idleSince + pool.idleTimeout, context: context)
        pool.release(self)
    }

    private func cancel(_ id: UInt64) {
        if exchanges.contains(where: { $0.id == id }) {
            fail { exchange, _ in exchange.id == id ? UpstreamTransportError.cancelled : .staleConnection }
        } else if exchanges.isEmpty {
            // Either it has not begun (then it must not) or it has ended (then this is moot).
            cancelledBeforeStart = id
        }
    }

    /// Ends the exchange being answered, if any, with `error`, and those pipelined behind it as
    /// stale (never answered, so safe to send again), and closes the connection.
    private func fail(_ error: any Error) {
        fail { _, index in index == 0 ? error : UpstreamTransportError.staleConnection }
    }

    /// Ends every exchange in flight with the error `errorFor` gives it (and its place, 0 for
    /// the one being answered), and closes the connection.
    private func fail(_ errorFor: (Exchange, Int) -> any Error) {
        let ended = exchanges
        exchanges.removeAll()
        // The connection closes: nothing more to check, and the loop's timer heap must not
        // keep it alive until the deadline.
        closed = true
        armed?.check.cancel()
        armed = nil
        context?.close(promise: nil)
        for (index, exchange) in ended.enumerated() { exchange.waiter.resume(with: .failure(errorFor(exchange, index))) }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        channel = context.channel
    }

    func channelActive(context: ChannelHandlerContext) {
        // Armed from the start, so that the first exchange usually needs no arming of its own;
        // it closes the connection only once it is idle in the pool.
        idleSince = .now()
        _ = check(by: idleSince + pool.idleTimeout, context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if self.context === context { self.context = nil }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if var pending {
            self.pending = nil
            pending.writeBuffer(&buffer)
            buffer = pending
        }
        guard !exchanges.isEmpty else {
            // An answer nobody asked for: the connection cannot be trusted any more.
            context.close(promise: nil)
            return
        }
        do {
            exchanges[exchanges.startIndex].answered = true
            while !exchanges.isEmpty, let event = try parser.next(&buffer) {
                handle(event, more: buffer.readableBytes > 0, context: context)
                // The next pipelined answer has begun in this read.
                if case .end = event, buffer.readableBytes > 0, !exchanges.isEmpty { exchanges[exchanges.startIndex].answered = true }
            }
        } catch {
            return fail(UpstreamTransportError.malformedAnswer(error.reason))
        }
        guard buffer.readableBytes > 0 else { return }
        if exchanges.isEmpty {
            // Bytes after a whole answer: the connection was closed at its end (`more`).
            return
        }
        // Without the bytes already read, which would otherwise be kept and copied each time.
        buffer.discardReadBytes()
        pending = buffer
    }

    /// An event of the answer to the first exchange in flight. `more`: bytes follow in this
    /// read, which no request asked for when no exchange is left.
    private func handle(_ event: UpstreamResponseParser.Event, more: Bool, context: ChannelHandlerContext) {
        let first = exchanges.startIndex
        switch event {
        case .head(let status, let keepAlive):
            exchanges[first].status = status
            exchanges[first].keepAlive = keepAlive
        case .body(var part):
            let size = (exchanges[first].body?.readableBytes ?? 0) + part.readableBytes
            guard size <= UpstreamClient.maximumBodySize else {
                return fail(UpstreamTransportError.bodyTooLarge)
            }
            if exchanges[first].body == nil {
                exchanges[first].body = part
            } else {
                exchanges[first].body!.writeBuffer(&part)
            }
        case .end:
            let ended = exchanges.removeFirst()
            served += 1
            if !ended.keepAlive || !context.channel.isActive || (more && exchanges.isEmpty) {
                // Closed at this answer's end: any pipelined behind it were never answered.
                fail(UpstreamTransportError.staleConnection)
            } else if let next = exchanges.first {
                parser.expectAnswer(toHead: next.isHead)
            } else {
                giveBack()
            }
            ended.waiter.resume(with: .success(UpstreamResponse(status: ended.status, body: ended.body ?? ByteBuffer())))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset, a write into a connection the peer closed, or (TLS) a close without
        // close_notify, before any answer: the same stale connection as a plain close.
        let isClose = error is IOError || (error as? NIOSSLError) == .uncleanShutdown
        fail(isClose && lostUnanswered ? UpstreamTransportError.staleConnection : error)
        context.close(promise: nil)
    }

    /// The exchange being answered got no byte of its answer, on a connection that had answered before.
    private var lostUnanswered: Bool {
        served > 0 && exchanges.first?.answered == false
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A body that runs to the close has ended; any other answer was cut short.
        if !exchanges.isEmpty, let end = parser.connectionClosed() {
            exchanges[exchanges.startIndex].keepAlive = false
            handle(end, more: false, context: context)
        }
        fail(lostUnanswered ? UpstreamTransportError.staleConnection : UpstreamTransportError.connectionClosed)
        pool.closed(self)
        context.fireChannelInactive()
    }

}
