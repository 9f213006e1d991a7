public import Foundation

/// The answer to one message: a JSON-RPC response (none for a notification) and the HTTP
/// status it goes with. Stdio writes the body and ignores the status.
public struct MCPReply: Sendable, Hashable {
    public enum Status: Sendable, Hashable {
        /// 200: a result, or an error the request itself got to.
        case ok
        /// 202: a notification or a response, with no body.
        case accepted
        /// 400: a message that could not be read, or a 2026-07-28 request whose envelope, headers or version were refused.
        case badRequest
        /// 404: a 2026-07-28 request for a method the revision does not have.
        case notFound
    }

    public var status: Status
    /// UTF-8 JSON; nil for 202.
    public var body: Data?

    static let accepted = MCPReply(status: .accepted, body: nil)

    /// A 2026-07-28 error's status, as the revision's Streamable HTTP transport gives it.
    static func modern(_ error: JSONRPCError) -> MCPReply {
        let status: Status =
            switch error.code {
            case .methodNotFound: .notFound
            case .parseError, .invalidRequest, .invalidParams, .headerMismatch, .unsupportedProtocolVersion:
                .badRequest
            case .internalError: .ok
            }
        return MCPReply(status: status, body: error.encoded)
    }
}
