import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to the proxy on 127.0.0.1, for what an HTTP client library hides:
/// interim responses, pipelining, exact bytes. Every read waits at most `timeout`, on a Dispatch
/// thread (never blocking Swift's cooperative pool, which the proxy under test needs).
final class RawHTTPConnection: @unchecked Sendable {
    private let descriptor: Int32
    /// Bytes read past the last response ``readResponse()`` returned.
    private var unread: [UInt8] = []

    init(port: Int, timeout: Duration = .seconds(5)) throws {
        descriptor = try Loopback.connect(port: port) { descriptor in
            var wait = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        }
    }

    deinit { close(descriptor) }

    /// A whole `POST /mcp` of `body` (JSON) with `token`'s bearer header, as bytes to send.
    static func post(_ body: String, token: String = TestAgent.incidentBot.token) -> String {
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Authorization: Bearer \(token)\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
            guard written > 0 else { throw RawHTTPError.system("send", errno) }
            offset += written
        }
    }

    /// Reads until `text` holds `marker` `count` times, the peer closes, or the timeout passes.
    func read(until marker: String, count: Int = 1) async -> String {
        await offPool { self.readBlocking(until: marker, count: count) }
    }

    /// The next whole response (head and `Content-Length` body), or what came before the peer
    /// closed or the timeout passed; what follows it stays for the next call.
    func readResponse() async -> String {
        await offPool { self.readResponseBlocking() }
    }

    /// Whether the peer closed the connection (reads end) within the timeout.
    func isClosedByPeer() async -> Bool {
        await offPool { self.isClosedByPeerBlocking() }
    }

    private func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
    }

    private func readBlocking(until marker: String, count: Int) -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while String(decoding: received, as: UTF8.self).components(separatedBy: marker).count - 1 < count {
            let read = recv(descriptor, &buffer, buffer.count, 0)
            guard read > 0 else { break }
            received += buffer[..<read]
        }
        return String(decoding: received, as: UTF8.self)
    }

    private func readResponseBlocking() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        func more() -> Bool {
            let read = recv(descriptor, &buffer, buffer.count, 0)
            guard read > 0 else { return false }
            unread += buffer[..<read]
            return true
        }
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while true {
            if headEnd == nil, let found = unread.indices.dropLast(3).first(where: { unread[$0..<($0 + 4)].elementsEqual(separator) }) {
                headEnd = found + 4
            }
            if let end = headEnd {
                let head = String(decoding: unread[..<end], as: UTF8.self).lowercased()
                let length = head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if unread.count >= end + length {
                    let response = String(decoding: unread[..<(end + length)], as: UTF8.self)
                    unread.removeFirst(end + length)
                    return response
                }
            }
            guard more() else {
                defer { unread = [] }
                return String(decoding: unread, as: UTF8.self)
            }
        }
    }

    private func isClosedByPeerBlocking() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let read = recv(descriptor, &buffer, buffer.count, 0)
            if read == 0 { return true }
            if read < 0 { return false }
        }
    }
}

enum RawHTTPError: Error {
    case system(String, Int32)
}
