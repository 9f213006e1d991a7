import NIOCore
import NIOHTTP1
import Testing

@testable import ProxyServer

/// The listener's requests as a hostile or merely odd client may send them, read whole, cut in
/// two at every byte, and a byte at a time: the same requests, or the same refusal.
@Suite struct RequestParserTests {
    /// What one request reads as.
    struct Request: Equatable, CustomStringConvertible {
        var method: String
        var uri: String
        var minor: Int
        var keepAlive: Bool
        var expectsContinue: Bool
        var contentType: String?
        var body: String
        var description: String { "\(method) \(uri) 1.\(minor) keepAlive=\(keepAlive) type=\(contentType ?? "-") body=\(body.debugDescription)" }
    }

    enum Outcome: Equatable {
        case requests([Request])
        /// The requests before the refusal, and the refusal's status and reason.
        case refused([Request], Int, String)
    }

    static func read(_ pieces: [String]) -> Outcome {
        var parser = RequestParser()
        var requests: [Request] = []
        var current: Request?
        var pending = ByteBuffer()
        do {
            for piece in pieces {
                pending.writeString(piece)
                while let event = try parser.next(&pending) {
                    switch event {
                    case .head(let head):
                        current = Request(
                            method: head.method.rawValue, uri: head.uri, minor: head.version.minor, keepAlive: head.keepAlive,
                            expectsContinue: head.expectsContinue, contentType: head.headers.first(name: "content-type"), body: "")
                    case .body(let part): current!.body += String(buffer: part)
                    case .end:
                        requests.append(current!)
                        current = nil
                    }
                }
            }
        } catch {
            return .refused(requests, Int(error.status.code), error.reason)
        }
        return .requests(requests)
    }

    static func expectSameWhenCut(_ text: String) -> Outcome {
        let whole = read([text])
        let bytes = Array(text.utf8)
        for cut in 1..<bytes.count {
            let pieces = [String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self)]
            #expect(read(pieces) == whole, "cut at \(cut)")
        }
        #expect(read(bytes.map { String(decoding: [$0], as: UTF8.self) }) == whole)
        return whole
    }

    static func post(_ body: String, extra: String = "") -> String {
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\(extra)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    @Test func pipelinedRequestsAfterEmptyLinesReadInOrder() {
        let text = "\r\n" + Self.post("{}") + "\r\nGET /healthz?verbose=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
            + "POST /mcp HTTP/1.1\r\nHost: a\r\ntransfer-encoding: Chunked\r\nCONTENT-TYPE:application/json \r\n\r\n"
            + "3;x=y\r\n{\"a\r\n2\r\n\":\r\n2\r\n1}\r\n0\r\nTrailer: dropped\r\n\r\n"
        #expect(
            Self.expectSameWhenCut(text)
                == .requests([
                    Request(method: "POST", uri: "/mcp", minor: 1, keepAlive: true, expectsContinue: false, contentType: "application/json", body: "{}"),
                    Request(method: "GET", uri: "/healthz?verbose=1", minor: 0, keepAlive: true, expectsContinue: false, contentType: nil, body: ""),
                    Request(method: "POST", uri: "/mcp", minor: 1, keepAlive: true, expectsContinue: false, contentType: "application/json", body: #"{"a":1}"#),
                ]))
    }

    @Test func connectionAndExpectAreRead() {
        #expect(
            Self.read([Self.post("{}", extra: "Connection: close\r\nExpect: 100-Continue\r\n")])
                == .requests([
                    Request(method: "POST", uri: "/mcp", minor: 1, keepAlive: false, expectsContinue: true, contentType: "application/json", body: "{}")
                ]))
        #expect(
            Self.read(["POST /mcp HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n"])
                == .requests([Request(method: "POST", uri: "/mcp", minor: 0, keepAlive: false, expectsContinue: false, contentType: nil, body: "")]),
            "HTTP/1.0 has no 100 Continue")
        #expect(
            Self.read(["GET / HTTP/1.7\r\nHost: a\r\n\r\n"])
                == .requests([Request(method: "GET", uri: "/", minor: 1, keepAlive: true, expectsContinue: false, contentType: nil, body: "")]),
            "a later HTTP/1 minor version is answered as 1.1")
        #expect(
            Self.read(["GET / HTTP/1.0\r\n\r\n"])
                == .requests([Request(method: "GET", uri: "/", minor: 0, keepAlive: false, expectsContinue: false, contentType: nil, body: "")]))
    }

    @Test(arguments: [
        // Request smuggling: two framings, or one the proxy would read differently from a peer.
        ("POST /mcp HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "a request has both Content-Length and Transfer-Encoding"),
        ("POST /mcp HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "the only transfer coding understood is chunked"),
        ("POST /mcp HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 501, "the only transfer coding understood is chunked"),
        ("POST /mcp HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "the only transfer coding understood is chunked"),
        ("POST /mcp HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 501, "the only transfer coding understood is chunked"),
        ("POST /mcp HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "an HTTP/1.0 request has a Transfer-Encoding"),
        // Chunk lines and trailers: a bare LF there ends the line for some other parser.
        ("POST /mcp HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;\nxxxx\r\n", 400, "a chunk-size line holds a control character"),
        ("POST /mcp HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: a\nb\r\n\r\n", 400, "a trailer line holds a control character"),
        ("POST /mcp HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nnot a trailer\r\n\r\n", 400, "a header line is not a name, a colon and a value"),
        (String(repeating: "\r\n", count: 9) + "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "too many empty lines before a request line"),
        ("POST /mcp HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n", 400, "two Content-Length values disagree"),
        ("POST /mcp HTTP/1.1\r\nHost: a\r\nContent-Length: +4\r\n\r\n", 400, "Content-Length is not a number"),
        ("POST /mcp HTTP/1.1\r\nHost: a\r\nContent-Length : 4\r\n\r\n", 400, "a header line is not a name, a colon and a value"),
        ("POST /mcp HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tfolded\r\n\r\n", 400, "a header is folded over lines"),
        ("POST /mcp HTTP/1.1\r\nHost: a\r\nX-A: b\nContent-Length: 4\r\n\r\n", 400, "a line holds a bare CR, LF or NUL"),
        ("POST /mcp HTTP/1.1\r\nHost: a\r\nX-A: b\u{1}c\r\n\r\n", 400, "a header value holds a control character"),
        ("POST /mcp HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4x\r\n", 400, "a chunk size is not a hexadecimal number"),
        // Host (RFC 9112 section 3.2).
        ("POST /mcp HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 400, "an HTTP/1.1 request has no Host"),
        ("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", 400, "a request has more than one Host"),
        ("GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n", 400, "a request has more than one Host"),
        ("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "the Host is not host[:port]"),
        ("GET / HTTP/1.1\r\nHost: evil.example/x\r\n\r\n", 400, "the Host is not host[:port]"),
        ("GET / HTTP/1.1\r\nHost: user@evil.example\r\n\r\n", 400, "the Host is not host[:port]"),
        // The request line.
        ("GARBAGE\r\n\r\n", 400, "the request line is not METHOD target HTTP/1.x"),
        ("GET /  HTTP/1.1\r\nHost: a\r\n\r\n", 400, "the request line is not METHOD target HTTP/1.x"),
        ("GET / HTTP/2.0\r\n\r\n", 400, "the request line is not METHOD target HTTP/1.x"),
        ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, "the request line is not METHOD target HTTP/1.x"),
        ("GET /a\u{7F}b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "the request line is not METHOD target HTTP/1.x"),
        ("GET / http/1.1\r\n\r\n", 400, "the request line is not METHOD target HTTP/1.x"),
        ("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "the request line is not METHOD target HTTP/1.x"),
    ])
    func malformedRequestsAreRefusedWithTheirReason(text: String, status: Int, reason: String) {
        #expect(Self.expectSameWhenCut(text) == .refused([], status, reason))
    }

    @Test func aHostMayBeANameAnAddressOrEmptyWithAPort() {
        for host in ["127.0.0.1:8080", "[::1]:8080", "proxy.example", "xn--bcher-kva.example", ""] {
            #expect(
                Self.read(["GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n"])
                    == .requests([Request(method: "GET", uri: "/", minor: 1, keepAlive: true, expectsContinue: false, contentType: nil, body: "")]),
                "\(host)")
        }
    }

    @Test func aRequestBeforeGarbageIsStillRead() {
        let text = Self.post("{}") + "GARBAGE\r\n\r\n"
        guard case .refused(let before, 400, _) = Self.expectSameWhenCut(text) else {
            Issue.record("not refused")
            return
        }
        #expect(before.map(\.body) == ["{}"])
    }

    @Test func aHeadOver64KiBIs431() {
        let head = "GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X-Filler: " + String(repeating: "a", count: 90) + "\r\n", count: 700)
        #expect(Self.read([head]) == .refused([], 431, "the request's head is longer than 64 KiB"))
        // Under the limit is fine.
        let fine = "GET / HTTP/1.1\r\nHost: a\r\n" + String(repeating: "X-Filler: " + String(repeating: "a", count: 90) + "\r\n", count: 600) + "\r\n"
        #expect(Self.read([fine]) == .requests([Request(method: "GET", uri: "/", minor: 1, keepAlive: true, expectsContinue: false, contentType: nil, body: "")]))
    }
}
