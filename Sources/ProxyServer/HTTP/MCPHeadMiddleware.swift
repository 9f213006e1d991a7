import Foundation
import HTTPTypes
import Hummingbird

/// What `/mcp` checks on the request head, before any body byte is read: the method (POST
/// only: the server is stateless), the media types, and a declared length over the limit. Each
/// refusal ends the connection, so the body it did not read is never waited for.
struct MCPHeadMiddleware: RouterMiddleware {
    typealias Context = ProxyRequestContext
    let maxBodySize: Int

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post else {
            return .jsonRPC(
                .methodNotAllowed, JSONRPCError(.invalidRequest, "Method Not Allowed: this server is stateless; POST JSON-RPC messages"),
                headers: [.allow: "POST", .connection: "close"])
        }
        if let refusal = Self.checkMediaTypes(request.headers) { return refusal }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodySize {
            return Self.tooLarge(maxBodySize)
        }
        return try await next(request, context)
    }

    static func tooLarge(_ maxBodySize: Int) -> Response {
        .jsonRPC(
            .contentTooLarge, JSONRPCError(.invalidRequest, "Content Too Large: at most \(maxBodySize) bytes"),
            headers: [.connection: "close"])
    }

    /// A POST must send JSON and accept a JSON answer (`application/json`, `application/*`,
    /// `*/*`, or no `Accept` at all).
    static func checkMediaTypes(_ headers: HTTPFields) -> Response? {
        guard let type = headers[.contentType], MediaType(from: type)?.isType(.applicationJson) == true else {
            return .jsonRPC(
                .unsupportedMediaType, JSONRPCError(.invalidRequest, "Unsupported Media Type: Content-Type must be application/json"),
                headers: [.connection: "close"])
        }
        // The first entry that takes JSON ends the look (clients list it first); an Accept with
        // no entry that parses is as none.
        let json = MediaType(type: .application, subType: "json")
        var parsedAny = false
        for value in headers[values: .accept] {
            for entry in value.split(separator: ",") {
                guard let type = MediaType(from: String(Self.trimmingSpace(entry))) else { continue }
                parsedAny = true
                // q and other parameters do not matter.
                if json.isType(MediaType(type: type.type, subType: type.subType)) { return nil }
            }
        }
        guard !parsedAny else {
            return .jsonRPC(
                .notAcceptable, JSONRPCError(.invalidRequest, "Not Acceptable: Client must accept application/json"),
                headers: [.connection: "close"])
        }
        return nil
    }

    /// `entry` without the spaces and tabs HTTP allows around a list element.
    private static func trimmingSpace(_ entry: Substring) -> Substring {
        var trimmed = entry.trimmingPrefix { $0 == " " || $0 == "\t" }
        while let last = trimmed.last, last == " " || last == "\t" { trimmed = trimmed.dropLast() }
        return trimmed
    }
}
