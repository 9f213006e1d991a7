import NIOCore
import NIOHTTP1

/// What the listener enforces on each connection, between SwiftNIO's HTTP/1 codec (which
/// parses) and Hummingbird (which answers). Hummingbird's own idle timer keeps the head's
/// deadline: a connection that completes no head within the idle timeout is closed, however
/// slowly its bytes drip in. This adds:
///
/// - a request's body must arrive whole within `deadline` of its head, or the connection is
///   closed (a body that drips a byte at a time would otherwise hold it for ever);
/// - an HTTP/1.1 request without a `Host`, with two, or with one that is no `host[:port]` is
///   answered 400 with the reason, and the connection closed (RFC 9112 section 3.2);
/// - a head larger than the decoder's limit is answered 431, not a bare 400;
/// - `Expect: 100-continue` on HTTP/1.1 is answered `100 Continue` at once;
/// - HTTP/1.0 is answered as HTTP/1.0, kept alive only when it asks (`Connection: keep-alive`);
/// - a response that says `Connection: close` (or to a request that did, or written once
///   graceful shutdown began) ends the connection once written: the proxy's side is shut, so the
///   client reads the whole answer and then the end; what is left of the request is read and
///   dropped, never buffered, and not waited for past the deadline.
final class HTTP1ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// What the answer to one request must say about the connection, in the order requests came.
    private struct Pending {
        var version: HTTPVersion
        var keepAlive: Bool
    }

    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?
    private var pending: [Pending] = []
    /// The response being written ends the connection.
    private var closingAfterResponse = false
    /// A refusal, or an answer that ends the connection, was written: everything else the
    /// client sends is read and dropped (nothing of it is buffered) until it closes or the
    /// deadline passes.
    private var discarding = false
    /// Graceful shutdown began: each answer from now on says `Connection: close`, and is the last.
    private var quiescing = false
    /// A final response's head was written and its end not yet.
    private var answering = false
    /// A refusal that waits for the answers owed to earlier requests on this connection.
    private var queuedRefusal: (status: HTTPResponseStatus, reason: String)?

    /// Answers are owed to requests read before: anything written now would come before them.
    private var owesAnswers: Bool { answering || !pending.isEmpty }

    init(deadline: TimeAmount) {
        self.deadline = deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !discarding else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            startTimer(context)
            if head.version.major == 1, head.version.minor >= 1, let reason = Self.hostProblem(head.headers) {
                return refuse(context, .badRequest, reason)
            }
            // Only when no earlier answer is owed: it would land inside one.
            if head.version == .http1_1, !owesAnswers, head.headers["expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
            }
            pending.append(Pending(version: head.version, keepAlive: head.isKeepAlive))
        case .end:
            if !closingAfterResponse {
                timer?.cancel()
                timer = nil
            }
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status.code >= 200:
            answering = true
            let request = pending.isEmpty ? Pending(version: .http1_1, keepAlive: true) : pending.removeFirst()
            let closeAsked = head.headers["connection"].contains { $0.lowercased() == "close" }
            closingAfterResponse = closeAsked || !request.keepAlive || quiescing
            // The answer is decided: what is left of the request (an unauthenticated body, one
            // over the limit) is not for anyone to read.
            if closingAfterResponse { discarding = true }
            if request.version == .http1_0 {
                head.version = .http1_0
                head.headers.replaceOrAdd(name: "Connection", value: closingAfterResponse ? "close" : "keep-alive")
            } else if closingAfterResponse && !closeAsked {
                head.headers.replaceOrAdd(name: "Connection", value: "close")
            }
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end where closingAfterResponse:
            answering = false
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.writeAndFlush(data).whenComplete { result in
                promise?.completeWith(result)
                let (handler, context) = loopBound.value
                handler.shutOutput(context)
            }
        case .end:
            answering = false
            context.write(data, promise: promise)
            if let refusal = queuedRefusal, !owesAnswers {
                queuedRefusal = nil
                writeRefusal(context, refusal.status, refusal.reason)
            }
        default:
            context.write(data, promise: promise)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? HTTPParserError, case .headerOverflow = error {
            return refuse(context, .requestHeaderFieldsTooLarge, "the request head is larger than 64 KiB")
        }
        context.fireErrorCaught(error)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent { quiescing = true }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    /// Answers `status` with `reason` as text, then closes; nothing of the request goes on. The
    /// answers owed to earlier requests go first.
    private func refuse(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ reason: String) {
        discarding = true
        if owesAnswers {
            queuedRefusal = (status, reason)
        } else {
            writeRefusal(context, status, reason)
        }
    }

    private func writeRefusal(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ reason: String) {
        let body = ByteBuffer(string: reason + "\n")
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/plain; charset=utf-8")
        headers.add(name: "content-length", value: String(body.readableBytes))
        headers.add(name: "connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }

    /// Our side of the connection ends; the rest of the request is not waited for past the deadline.
    private func shutOutput(_ context: ChannelHandlerContext) {
        context.close(mode: .output, promise: nil)
        startTimer(context)
    }

    /// Closes the connection at the deadline unless the request ends first.
    private func startTimer(_ context: ChannelHandlerContext) {
        timer?.cancel()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: deadline) {
            loopBound.value.close(promise: nil)
        }
    }

    /// Why an HTTP/1.1 request's `Host` is unusable, or nil. SwiftNIO's parser (llhttp) leaves
    /// `Host` to the server, and RFC 9112 section 3.2 makes a missing, repeated or malformed one a 400.
    static func hostProblem(_ headers: HTTPHeaders) -> String? {
        let hosts = headers["host"]
        switch hosts.count {
        case 0: return "an HTTP/1.1 request has no Host"
        case 1: return isHostAndPort(hosts[0]) ? nil : "the Host header is not host[:port]"
        default: return "a request has more than one Host"
        }
    }

    /// `host[:port]` with a registered name, an IPv4 address or a bracketed IPv6 address.
    static func isHostAndPort(_ value: String) -> Bool {
        var rest = Substring(value)
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return false }
            let address = rest[rest.index(after: rest.startIndex)..<close]
            guard !address.isEmpty, address.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return false }
            rest = rest[rest.index(after: close)...]
        } else {
            let end = rest.firstIndex(of: ":") ?? rest.endIndex
            let name = rest[..<end]
            let allowed = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || "-._~!$&'()*+,;=%".contains(c)) }
            guard !name.isEmpty, name.allSatisfy(allowed) else { return false }
            rest = rest[end...]
        }
        guard !rest.isEmpty else { return true }
        guard rest.first == ":" else { return false }
        let port = rest.dropFirst()
        return port.isEmpty || (port.count <= 5 && port.allSatisfy(\.isNumber))
    }
}
