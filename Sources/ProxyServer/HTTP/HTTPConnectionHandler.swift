import NIOCore
import NIOHTTP1

/// One HTTP/1.1 connection: reads each request whole (up to the body limit) with its own
/// ``RequestParser``, has ``ProxyResponder`` answer it, and writes the answer back.
///
/// A request that needs nothing to wait for is answered right here, on the event loop
/// (``ProxyResponder/respondNow(to:completion:)``): everything without Keycloak, and a user
/// call whose tenant has its token, a free slot and an idle connection of this loop, and whose
/// requests to Keycloak end, by the tenant's request timeout, within the response timeout; it
/// answers from that connection's read. The rest is answered in the connection's task
/// (``ConnectionWorker``, which prefers the connection's event loop through
/// ``EventLoopTaskExecutor``), made at the first such request.
///
/// A request not answered within the response timeout has its task cancelled, and the responder
/// answers it (``MCPEndpoint`` with a JSON-RPC error); the next request gets a new task. Should
/// the task not end within ``cancellationGrace`` after that, the connection answers 500 itself
/// and closes. (A request answered on the loop ends sooner: with its tenant's request timeout,
/// which is shorter.) One timer per
/// connection, armed while a request is waiting, does this: a per-request timer or a racing
/// child task cost allocations and executor hops on every call.
///
/// It does its own pipelining: a request that comes while another is being answered waits, with
/// whatever else that read brought (parsed, so that bytes that are not HTTP end the connection
/// after the answer in progress), and reading stops until it is answered. NIO's pipelining
/// handler stops reading while *every* request is answered, which costs two `epoll_ctl` calls
/// per request. On graceful shutdown (`ChannelShouldQuiesceEvent`) an idle connection closes at
/// once, a busy one after its answer. State is touched on the event loop only.
final class HTTPConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = IOData
    /// Whole responses as bytes (``OutgoingResponse/wire(version:keepAlive:isHead:allocator:)``):
    /// the pipeline has no HTTP handler but this one.
    typealias OutboundOut = IOData

    private enum State {
        case idle
        case reading(RequestHead, ByteBuffer?)
        /// Waiting for the answer to the request read at `since`, whose task was cancelled at
        /// `cancelled` (once the response timeout had passed).
        case responding(since: NIODeadline, cancelled: NIODeadline?)
        /// An answer that ends the connection was sent (or the task ignored its cancellation and
        /// the connection answered for it): whatever else comes is dropped.
        case closing
    }

    /// How long a connection being closed keeps reading what the client still sends.
    static let lingering = TimeAmount.seconds(2)
    /// How long a task may take to end once cancelled for the response timeout.
    static let cancellationGrace = TimeAmount.seconds(2)

    private let responder: ProxyResponder
    private let tasks: ConnectionWorker.Count
    private let maxBodySize: Int
    private let responseTimeout: TimeAmount
    private var state = State.idle
    private var executor: EventLoopTaskExecutor?
    /// The task answering this connection's requests; made at the first request, and again after
    /// a cancellation.
    private var worker: ConnectionWorker?
    /// Counts requests, so that an answer that comes after the connection gave up is dropped.
    private var requestNumber: UInt64 = 0
    private var timer: Scheduled<Void>?
    private var parser = RequestParser()
    /// Bytes of a request that are not an event yet (a head cut by a read).
    private var unparsed: ByteBuffer?
    /// The bytes stopped being HTTP: whatever else comes is dropped.
    private var parserFailed = false
    /// Parts of requests that came while one was being answered, in order.
    private var pipelined = CircularBuffer<RequestParser.Event>()
    /// A `read()` held back until `pipelined` is empty.
    private var readHeld = false
    /// ``resumePipelined(context:)`` is running.
    private var resuming = false
    /// Graceful shutdown: the answer in progress closes the connection.
    private var quiescing = false

    init(responder: ProxyResponder, maxBodySize: Int, responseTimeout: TimeAmount, tasks: ConnectionWorker.Count) {
        self.responder = responder
        self.tasks = tasks
        self.maxBodySize = maxBodySize
        self.responseTimeout = responseTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        executor = EventLoopTaskExecutor(context.eventLoop)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !parserFailed else { return }
        var buffer = unwrapInboundIn(data)
        if var unparsed {
            self.unparsed = nil
            unparsed.writeBuffer(&buffer)
            buffer = unparsed
        }
        do {
            while let event = try parser.next(&buffer) {
                switch state {
                case .idle, .reading:
                    handle(event, context: context)
                case .responding:
                    pipelined.append(event)
                case .closing:
                    // Answered and closing: the rest is read (and dropped) only until the close.
                    return
                }
            }
        } catch {
            return refuse(error, context: context)
        }
        if buffer.readableBytes > 0 {
            // Without the bytes already parsed: kept, they would pile up read after read while
            // every read ends inside a request (a pipelining client), and be copied each time.
            buffer.discardReadBytes()
            unparsed = buffer
        }
    }

    /// Bytes that are not an HTTP request get their status (400, 431 or 501) and the reason;
    /// after a request being answered they end the connection once its answer is out (an
    /// error first would read as its answer).
    private func refuse(_ failure: RequestParser.Failure, context: ChannelHandlerContext) {
        parserFailed = true
        unparsed = nil
        switch state {
        case .idle, .reading:
            state = .closing
            dropPipelined(context: context)
            closeAfter(OutgoingResponse.refusalWire(failure.status, reason: failure.reason, allocator: context.channel.allocator), context: context)
        case .responding:
            quiescing = true
        case .closing:
            break
        }
    }

    func read(context: ChannelHandlerContext) {
        if pipelined.isEmpty {
            context.read()
        } else {
            readHeld = true
        }
    }

    private func handle(_ part: RequestParser.Event, context: ChannelHandlerContext) {
        switch (part, state) {
        case (.head(let head), .idle):
            if head.contentLength ?? 0 > maxBodySize {
                // Refused before a byte of it is read; the rest is never read either.
                respond(to: head, body: nil, context: context)
            } else {
                state = .reading(head, nil)
                // curl before 8.1 asks before sending a body over 1 KiB, and waits a second if
                // nobody answers.
                if head.expectsContinue {
                    let interim = OutgoingResponse.continueWire(version: head.version, allocator: context.channel.allocator)
                    context.writeAndFlush(wrapOutboundOut(.byteBuffer(interim)), promise: nil)
                }
            }
        case (.body(var part), .reading(let head, var body)):
            if (body?.readableBytes ?? 0) + part.readableBytes > maxBodySize {
                respond(to: head, body: nil, context: context)
            } else if body == nil {
                state = .reading(head, part)
            } else {
                state = .idle  // drop the state's reference so the append does not copy
                body!.writeBuffer(&part)
                state = .reading(head, body)
            }
        case (.end, .reading(let head, let body)):
            respond(to: head, body: body ?? ByteBuffer(), context: context)
        default:
            break
        }
    }

    /// Goes on with the requests that came while the last one was answered, then reads again.
    /// Not again from within: a request answered at once writes its answer from in here, and
    /// the loop below goes on with the next.
    private func resumePipelined(context: ChannelHandlerContext) {
        guard !resuming else { return }
        resuming = true
        defer { resuming = false }
        while let part = pipelined.first {
            switch state {
            case .idle, .reading:
                pipelined.removeFirst()
                handle(part, context: context)
            case .responding, .closing:
                return
            }
        }
        if readHeld {
            readHeld = false
            context.read()
        }
    }

    private func respond(to head: RequestHead, body: ByteBuffer?, context: ChannelHandlerContext) {
        let now = NIODeadline.now()
        state = .responding(since: now, cancelled: nil)
        requestNumber &+= 1
        let number = requestNumber
        if timer == nil { arm(at: now + responseTimeout, context: context) }
        let uri = head.uri
        let path = uri.firstIndex(of: "?").map { uri[..<$0] } ?? uri[...]
        let request = IncomingRequest(method: head.method, path: path, headers: head.headers, body: body)
        // A refused body is never read, so nothing after it can be.
        let job = ConnectionWorker.Job(
            request: request, number: number, version: head.version, keepAlive: head.keepAlive && body != nil,
            isHead: head.method == .HEAD)
        // Answered here when nothing has to wait; else in the connection's task.
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let immediate = responder.respondNow(to: request) { response in
            let (handler, context) = bound.value
            if let response {
                handler.writeAnswer(response, to: job, context: context)
            } else {
                handler.startTask(job, context: context)
            }
        }
        switch immediate {
        case .answered(let response): writeAnswer(response, to: job, context: context)
        case .started: break
        case .needsTask: startTask(job, context: context)
        }
    }

    /// Has the connection's task answer `job`, unless the connection gave up on it. Once its
    /// response timeout has passed (a call on the loop that has to go again, late), the task
    /// runs it cancelled (``ConnectionWorker/Job/expired``) and ends after it.
    private func startTask(_ job: ConnectionWorker.Job, context: ChannelHandlerContext) {
        guard requestNumber == job.number, case .responding(_, let cancelled) = state else { return }
        if worker == nil { worker = makeWorker(context: context) }
        guard cancelled != nil else { return worker!.start(job) }
        var expired = job
        expired.expired = true
        worker!.start(expired)
        worker = nil
    }

    private func makeWorker(context: ChannelHandlerContext) -> ConnectionWorker {
        let responder = self.responder
        let loop = context.eventLoop
        let bound = NIOLoopBound((self, context), eventLoop: loop)
        return ConnectionWorker(loop: loop, executor: executor, count: tasks) { job in
            let response = await responder.respond(to: job.request)
            if loop.inEventLoop {
                bound.value.0.writeAnswer(response, to: job, context: bound.value.1)
            } else {
                loop.execute { bound.value.0.writeAnswer(response, to: job, context: bound.value.1) }
            }
        }
    }

    /// Writes the task's answer to `job`'s request, unless the connection gave up on it.
    private func writeAnswer(_ response: OutgoingResponse, to job: ConnectionWorker.Job, context: ChannelHandlerContext) {
        guard requestNumber == job.number, case .responding = state else { return }
        write(response, version: job.version, keepAlive: job.keepAlive, isHead: job.isHead, context: context)
    }

    /// Checks the request waiting for its answer at `deadline`.
    private func arm(at deadline: NIODeadline, context: ChannelHandlerContext) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            checkResponseTime(context: context)
        }
    }

    private func checkResponseTime(context: ChannelHandlerContext) {
        // Idle: the next request arms the timer again.
        guard case .responding(let since, let cancelled) = state else { return }
        let now = NIODeadline.now()
        if let cancelled {
            guard now >= cancelled + Self.cancellationGrace else {
                return arm(at: cancelled + Self.cancellationGrace, context: context)
            }
            // The task did not end when cancelled: answer for it, and close.
            let seconds = responseTimeout.nanoseconds / 1_000_000_000
            let error = #"{"error":{"code":-32603,"message":"Internal error: no answer within \#(seconds)s"},"id":null,"jsonrpc":"2.0"}"#
            write(.json(.internalServerError, error), version: .http1_1, keepAlive: false, isHead: false, context: context)
        } else if now >= since + responseTimeout {
            state = .responding(since: since, cancelled: now)
            worker?.cancel()
            worker = nil
            arm(at: now + Self.cancellationGrace, context: context)
        } else {
            arm(at: since + responseTimeout, context: context)
        }
    }

    private func write(
        _ response: OutgoingResponse, version: HTTPVersion, keepAlive: Bool, isHead: Bool, context: ChannelHandlerContext
    ) {
        let keepAlive = keepAlive && !quiescing
        state = keepAlive ? .idle : .closing
        let bytes = response.wire(version: version, keepAlive: keepAlive, isHead: isHead, allocator: context.channel.allocator)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(bytes)), promise: nil)
            resumePipelined(context: context)
        } else {
            dropPipelined(context: context)
            // Close our side only once the answer is out, and keep reading (and dropping) what
            // the client still sends: closing with unread bytes makes the kernel send a reset,
            // and the client may lose the answer (a 413 before the body was sent whole).
            // Whatever the client does, the connection is closed after `lingering`.
            closeAfter(bytes, context: context)
        }
    }

    /// Forgets the requests that came while one was answered, and resumes reading if that was
    /// held for them: a connection being closed must read (and drop) what the client still sends.
    private func dropPipelined(context: ChannelHandlerContext) {
        pipelined.removeAll()
        if readHeld {
            readHeld = false
            context.read()
        }
    }

    /// Writes `bytes`, then closes the output, lingering for what the client still sends.
    private func closeAfter(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        let written = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(bytes)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
            context.eventLoop.assumeIsolated().scheduleTask(in: Self.lingering) { context.close(promise: nil) }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        // The task ends once the request in progress, if any, is answered; that answer and the
        // requests that came after it have nobody to go to (and must not start a new task).
        state = .closing
        pipelined.removeAll()
        worker?.finish()
        worker = nil
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset connection (or any other failure) has nobody to answer.
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            switch state {
            case .idle: context.close(promise: nil)
            case .reading, .responding: quiescing = true
            case .closing: break
            }
            return
        }
        // Idle keep-alive connections close, and so do requests whose body stopped arriving;
        // one waiting for its answer stays open.
        if event is IdleStateHandler.IdleStateEvent {
            switch state {
            case .idle, .reading: context.close(promise: nil)
            case .responding, .closing: break
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
