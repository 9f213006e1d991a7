import HTTPWire
import NIOCore
import Testing

@testable import KeycloakAdmin

/// The answers Keycloak (or whatever listens at a tenant's URL) may send, read as the
/// connection reads them: whole, cut in two at every byte, and a byte at a time.
@Suite struct ResponseParserTests {
    /// What one answer reads as: its status, whether the connection stays open, its body.
    struct Answer: Equatable, CustomStringConvertible {
        var status: Int
        var keepAlive: Bool
        var body: String
        var description: String { "\(status) keepAlive=\(keepAlive) body=\(body.debugDescription)" }
    }

    enum Outcome: Equatable {
        case answers([Answer])
        case failure(String)
    }

    /// Feeds `pieces` in order, as reads; `closed`: the connection ends after them.
    static func read(_ pieces: [String], toHead: Bool = false, closed: Bool = false) -> Outcome {
        var parser = UpstreamResponseParser()
        parser.expectAnswer(toHead: toHead)
        var answers: [Answer] = []
        var current: Answer?
        var pending = ByteBuffer()
        func apply(_ event: UpstreamResponseParser.Event) {
            switch event {
            case .head(let status, let keepAlive): current = Answer(status: status, keepAlive: keepAlive, body: "")
            case .body(let part): current!.body += String(buffer: part)
            case .end:
                answers.append(current!)
                current = nil
            }
        }
        do {
            for piece in pieces {
                pending.writeString(piece)
                while let event = try parser.next(&pending) { apply(event) }
            }
            if closed, let end = parser.connectionClosed() { apply(end) }
        } catch {
            return .failure(error.reason)
        }
        return .answers(answers)
    }

    /// The answer read whole must read the same cut anywhere.
    static func expectSameWhenCut(_ text: String, toHead: Bool = false, closed: Bool = false) -> Outcome {
        let whole = read([text], toHead: toHead, closed: closed)
        let bytes = Array(text.utf8)
        for cut in 1..<bytes.count {
            let pieces = [String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)]
            #expect(read(pieces, toHead: toHead, closed: closed) == whole, "cut at \(cut)")
        }
        #expect(read(bytes.map { String(decoding: [$0], as: UTF8.self) }, toHead: toHead, closed: closed) == whole)
        return whole
    }

    @Test func aKeepAliveAnswerWithContentLength() {
        let text = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\ncontent-length: 12\r\n\r\n{\"id\":\"abc\"}"
        #expect(Self.expectSameWhenCut(text) == .answers([Answer(status: 200, keepAlive: true, body: #"{"id":"abc"}"#)]))
    }

    @Test func aChunkedAnswerWithExtensionsAndTrailers() {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\nA;name=value\r\n, world!!!\r\n0\r\nX-Trailer: dropped\r\n\r\n"
        #expect(Self.expectSameWhenCut(text) == .answers([Answer(status: 200, keepAlive: true, body: "hello, world!!!")]))
    }

    @Test func twoAnswersInARowAnd1xxSkipped() {
        let text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
            + "HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"
        #expect(
            Self.expectSameWhenCut(text)
                == .answers([
                    Answer(status: 204, keepAlive: true, body: ""), Answer(status: 404, keepAlive: false, body: "{}"),
                ]))
    }

    @Test func aBodyThatRunsToTheClose() {
        // HTTP/1.0 without a length: the body is whatever comes before the close.
        let text = "HTTP/1.0 200 OK\r\n\r\nall of it"
        #expect(Self.expectSameWhenCut(text, closed: true) == .answers([Answer(status: 200, keepAlive: false, body: "all of it")]))
        // Cut short: no answer.
        #expect(Self.read(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"], closed: true) == .answers([]))
        // A coding other than chunked last runs to the close too.
        #expect(
            Self.read(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nzz"], closed: true)
                == .answers([Answer(status: 200, keepAlive: false, body: "zz")]))
    }

    @Test func headAnswersAnd304HaveNoBody() {
        #expect(
            Self.read(["HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n"], toHead: true)
                == .answers([Answer(status: 200, keepAlive: true, body: "")]))
        #expect(
            Self.read(["HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"])
                == .answers([Answer(status: 304, keepAlive: true, body: "")]))
    }

    @Test func http10StaysOpenOnlyWhenAsked() {
        #expect(
            Self.read(["HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"])
                == .answers([Answer(status: 200, keepAlive: true, body: "")]))
        #expect(
            Self.read(["HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"])
                == .answers([Answer(status: 200, keepAlive: false, body: "")]))
    }

    @Test func bothFramingsAtOnceUseChunkedAndCloseAfter() {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
        #expect(Self.read([text]) == .answers([Answer(status: 200, keepAlive: false, body: "ok")]))
    }

    @Test(arguments: [
        ("<html>not http</html>\r\n\r\n", "the status line is not HTTP/1.x"),
        ("HTTP/2 200\r\n\r\n", "the status line is not HTTP/1.x"),
        ("HTTP/1.1 2x0 OK\r\n\r\n", "the status line is not HTTP/1.x"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "two Content-Length values disagree"),
        ("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", "two Content-Length values disagree"),
        ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "Content-Length is not a number"),
        ("HTTP/1.1 200 OK\r\nX-A: b\r\n folded\r\n\r\n", "a header is folded over lines"),
        ("HTTP/1.1 200 OK\r\nBad Name: b\r\n\r\n", "a header line is not a name, a colon and a value"),
        ("HTTP/1.1 200 OK\r\nX-A: b\nContent-Length: 0\r\n\r\n", "a line holds a bare CR, LF or NUL"),
        ("HTTP/1.1 101 Switching Protocols\r\n\r\n", "the answer switches protocols, which was not asked for"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "a chunk size is not a hexadecimal number"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokX\r\n", "a chunk does not end with CRLF"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", "a chunk size is not a hexadecimal number"),
    ])
    func malformedAnswersSayWhatIsWrong(text: String, reason: String) {
        #expect(Self.expectSameWhenCut(text) == .failure(reason))
    }

    @Test func aHeadThatNeverEndsIsRefusedAtItsLimit() {
        let endless = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", count: 2000)
        #expect(Self.read([endless]) == .failure("the head is longer than 64 KiB"))
    }
}
