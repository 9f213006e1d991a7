import Foundation
public import ProxyCore

/// The Streamable HTTP headers that MCP 2026-07-28 checks against the body, every value as
/// sent (a header sent twice has two values). Stdio has none.
public struct MCPRequestHeaders: Sendable, Hashable {
    /// `MCP-Protocol-Version`.
    public var protocolVersion: [String] = []
    /// `Mcp-Method`.
    public var method: [String] = []
    /// `Mcp-Name`.
    public var name: [String] = []
    /// `Mcp-Param-{Name}`, by `{Name}` in lower case (header names are case-insensitive).
    public var parameters: [String: [String]] = [:]
    /// The W3C `traceparent` and `tracestate` headers (the first of each), the parent of a call
    /// whose `_meta` names none.
    public var trace = IncomingTrace.none

    public init() {}

    /// A header value as the body would say it: itself when it is visible ASCII (space and tab
    /// allowed inside), or the UTF-8 text of a `=?base64?…?=` value; nil when it is neither.
    static func decode(_ value: String) -> String? {
        let prefix = "=?base64?", suffix = "?="
        if value.hasPrefix(prefix), value.hasSuffix(suffix), value.utf8.count >= prefix.utf8.count + suffix.utf8.count {
            let encoded = value.dropFirst(prefix.count).dropLast(suffix.count)
            guard let bytes = Data(base64Encoded: String(encoded)) else { return nil }
            return String(bytes: bytes, encoding: .utf8)
        }
        let plain = value.utf8.allSatisfy { (0x20...0x7E).contains($0) || $0 == 0x09 }
        let trimmed = value.utf8.first.map { $0 != 0x20 && $0 != 0x09 } ?? true
            && value.utf8.last.map { $0 != 0x20 && $0 != 0x09 } ?? true
        return plain && trimmed ? value : nil
    }
}
