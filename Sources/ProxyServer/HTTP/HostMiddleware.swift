import HTTPTypes
import Hummingbird

/// Refuses a request without a `Host`, with two, or with one that is no `host[:port]`, with 400
/// and the reason (RFC 9112 section 3.2).
struct HostMiddleware: RouterMiddleware {
    typealias Context = ProxyRequestContext

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        // The first Host is the request's authority; a second stays a header field.
        guard let authority = request.head.authority else { return Self.refuse("a Host header is required") }
        guard !request.headers.contains(HTTPField.Name("Host")!) else { return Self.refuse("more than one Host header") }
        guard Self.isHostAndPort(authority) else { return Self.refuse("the Host header is not host[:port]") }
        return try await next(request, context)
    }

    private static func refuse(_ reason: String) -> Response {
        Response(
            status: .badRequest, headers: [.contentType: "text/plain; charset=utf-8", .connection: "close"],
            body: ResponseBody(byteBuffer: .init(string: "Bad Request: \(reason)\n")))
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
