import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `healthcheck [--url URL]`: GET a plain-HTTP health URL and exit 0 on status 200, 1
/// otherwise. For container HEALTHCHECKs in an image that has no shell and no curl.
struct HealthcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 when a running proxy answers 200 at its /healthz, 1 otherwise.",
        discussion: "For a container HEALTHCHECK in an image without a shell or curl. Plain http:// only."
    )

    @Option(name: .long, help: "The URL to GET (http://HOST:PORT/PATH).")
    var url = "http://127.0.0.1:8080/healthz"

    @Option(name: .long, help: "Seconds to wait for connecting and for each read or write.")
    var timeout = 3

    func validate() throws {
        guard HealthTarget(url) != nil else {
            throw ValidationError("--url \(url): expected http://HOST:PORT/PATH")
        }
        guard (1...60).contains(timeout) else {
            throw ValidationError("--timeout: expected 1 to 60 seconds")
        }
    }

    func run() throws {
        guard let target = HealthTarget(url) else { throw ExitCode(2) }
        switch target.fetchStatusLine(timeoutSeconds: timeout) {
        case .success(let line) where Self.isOK(line):
            print("healthy: \(url): \(line)")
        case .success(let line):
            StandardError.print("unhealthy: \(url): \(line)")
            throw ExitCode(1)
        case .failure(let problem):
            StandardError.print("unhealthy: \(url): \(problem.message)")
            throw ExitCode(1)
        }
    }

    static func isOK(_ statusLine: String) -> Bool {
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        return parts.count >= 2 && parts[0].hasPrefix("HTTP/1.") && parts[1] == "200"
    }
}

/// Where a health check goes: `http://host:port/path`, split.
struct HealthTarget {
    var host: String
    var port: UInt16
    var path: String

    init?(_ url: String) {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        path = slash == rest.endIndex ? "/" : String(rest[slash...])
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { return nil }
            guard let number = after.isEmpty ? 80 : UInt16(after.dropFirst()) else { return nil }
            port = number
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let number = UInt16(authority[authority.index(after: colon)...]) else { return nil }
            port = number
        } else {
            host = String(authority)
            port = 80
        }
        guard !host.isEmpty, port > 0, !path.contains(where: { $0 == " " || $0.isNewline }) else { return nil }
    }

    struct Problem: Error {
        var message: String
    }

    /// Connects, sends one GET and returns the response's status line.
    func fetchStatusLine(timeoutSeconds: Int) -> Result<String, Problem> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Darwin)
        hints.ai_socktype = SOCK_STREAM
        #else
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(Problem(message: "cannot resolve \(host): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            defer { close(fd) }
            // On Linux the send timeout also bounds connect().
            var limit = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
                lastError = "cannot connect to \(host):\(port): \(String(cString: strerror(errno)))"
                continue
            }
            let hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            let request = Array("GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nConnection: close\r\n\r\n".utf8)
            let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard sent == request.count else {
                return .failure(Problem(message: "cannot send the request: \(String(cString: strerror(errno)))"))
            }
            var response: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 512)
            while !response.contains(UInt8(ascii: "\n")), response.count < 8192 {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                response += buffer[..<count]
            }
            guard let end = response.firstIndex(of: UInt8(ascii: "\n")) else {
                return .failure(Problem(message: response.isEmpty ? "no response" : "no HTTP status line in the response"))
            }
            var line = String(decoding: response[..<end], as: UTF8.self)
            if line.hasSuffix("\r") { line.removeLast() }
            return .success(line)
        }
        return .failure(Problem(message: lastError))
    }
}
