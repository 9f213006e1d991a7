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
        let accepts = headers[values: .accept].flatMap { $0.split(separator: ",") }
            .compactMap { MediaType(from: $0.trimmingCharacters(in: .whitespaces)) }
            .map { MediaType(type: $0.type, subType: $0.subType) }  // q and other parameters do not matter
        let json = MediaType(type: .application, subType: "json")
        guard accepts.isEmpty || accepts.contains(where: { json.isType($0) }) else {
            return .jsonRPC(
                .notAcceptable, JSONRPCError(.invalidRequest, "Not Acceptable: Client must accept application/json"),
                headers: [.connection: "close"])
        }
        return nil
    }
}
