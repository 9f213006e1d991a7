import ProxyCore

/// A `tools/call` result as the encoder writes it: `content` (the structured content as text,
/// for clients that read only that), `structuredContent`, `isError`, and in a 2026-07-28 reply
/// `resultType` and the server's name and version in `_meta`.
///
/// Typed, so that the reply every call sends is written without first being built as a tree
/// of ``JSONValue``s; it encodes to the same object such a tree would.
struct CallToolResult: Encodable {
    struct TextContent: Encodable {
        let type = "text"
        let text: String
    }

    /// A logout's result typed; any other tool's as the JSON value it made.
    enum StructuredContent: Encodable {
        case logout(LogoutResult)
        case value(JSONValue)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .logout(let result): try result.encode(to: encoder)
            case .value(let value): try value.encode(to: encoder)
            }
        }
    }

    let content: [TextContent]
    let structuredContent: StructuredContent
    let isError: Bool
    let resultType: String?
    let meta: [String: JSONValue]?

    private enum CodingKeys: String, CodingKey {
        case content, structuredContent, isError, resultType, meta = "_meta"
    }

    /// The result of a call that ended with `outcome` (not ``ToolOutcome/inputRequired(_:)``,
    /// which is no call result), for a 2026-07-28 request when `modern`.
    init(_ outcome: ToolOutcome, modern: Bool) {
        content = [TextContent(text: outcome.text)]
        if case .loggedOut(let result) = outcome {
            structuredContent = .logout(result)
        } else {
            structuredContent = .value(outcome.structuredContent)
        }
        isError = outcome.isError
        resultType = modern ? "complete" : nil
        meta = modern ? [ProtocolRevision.serverInfoKey: ToolServer.serverInfo] : nil
    }
}
