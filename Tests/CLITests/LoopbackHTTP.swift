import Foundation
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One HTTP/1.1 exchange with a server on 127.0.0.1, over a plain socket on a Dispatch thread
/// (never on Swift's cooperative pool). Enough for status codes and small bodies.
enum LoopbackHTTP {
    struct Response {
        var status: Int
        var body: String
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func request(port: Int, _ method: String, _ path: String, headers: [String: String] = [:], body: String = "") async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try exchange(port: port, method, path, headers: headers, body: body) })
            }
        }
    }

    /// How long the server at `port` keeps a connection that sends nothing open before it
    /// closes it; nil if it is still open after `limit`.
    static func timeUntilClosed(port: Int, limit: Duration) async throws -> Duration? {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    let fd = try connected(port: port, timeout: Int(limit.components.seconds) + 1)
                    defer { close(fd) }
                    let start = ContinuousClock.now
                    var byte: UInt8 = 0
                    // 0: closed by the server; -1 with EAGAIN: the receive timeout passed first.
                    return recv(fd, &byte, 1, 0) == 0 ? ContinuousClock.now - start : nil
                })
            }
        }
    }

    /// A socket connected to 127.0.0.1:`port`, sends and receives bounded by `timeout` seconds.
    private static func connected(port: Int, timeout: Int) throws -> Int32 {
        do {
            return try Loopback.connect(port: port) { fd in
                var limit = timeval(tv_sec: timeout, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            }
        } catch {
            throw Failure(description: error.description)
        }
    }

    private static func exchange(port: Int, _ method: String, _ path: String, headers: [String: String], body: String) throws -> Response {
        let fd = try connected(port: port, timeout: 10)
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let bytes = Array((head + "\r\n" + body).utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            throw Failure(description: "send: errno \(errno)")
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            response += buffer[..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        let statusLine = text.prefix { $0 != "\r" && $0 != "\n" }.split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw Failure(description: "no HTTP status line in \(text.prefix(200).debugDescription)")
        }
        let bodyStart = text.range(of: "\r\n\r\n").map { text[$0.upperBound...] } ?? ""
        return Response(status: status, body: String(bodyStart))
    }
}
