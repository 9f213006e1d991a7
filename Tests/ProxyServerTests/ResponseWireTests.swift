import NIOCore
import NIOHTTP1
import Testing

@testable import ProxyServer

/// The bytes the listener writes for each kind of answer, exactly.
@Suite struct ResponseWireTests {
    func wire(_ response: OutgoingResponse, version: HTTPVersion = .http1_1, keepAlive: Bool = true, isHead: Bool = false) -> String {
        String(buffer: response.wire(version: version, keepAlive: keepAlive, isHead: isHead, allocator: ByteBufferAllocator()))
    }

    @Test func aJSONAnswerFromEncodedBytes() {
        #expect(
            wire(.json(.ok, Array(#"{"a":1}"#.utf8)))
                == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}")
    }

    @Test func headHasTheLengthButNoBody() {
        #expect(
            wire(.json(.ok, #"{"status":"ok"}"#), isHead: true)
                == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n")
    }

    @Test func anEmptyAnswerSaysItsLengthIsZero() {
        #expect(wire(OutgoingResponse(.accepted)) == "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func furtherHeadersComeAfterTheFramingAndCloseLast() {
        var response = OutgoingResponse.json(.methodNotAllowed, "{}")
        response.headers.add(name: "Allow", value: "POST")
        #expect(
            wire(response, keepAlive: false)
                == "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nContent-Length: 2\r\nAllow: POST\r\n"
                + "Connection: close\r\n\r\n{}")
    }

    @Test func http10KeepAliveIsSaid() {
        #expect(
            wire(.json(.ok, "{}"), version: .http1_0)
                == "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}")
    }
}
