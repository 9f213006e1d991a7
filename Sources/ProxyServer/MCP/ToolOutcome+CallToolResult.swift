import ProxyCore

extension ToolOutcome {
    /// The `tools/call` result: `structuredContent`, the same as text for clients that read
    /// only `content`, and `isError` for a failure the agent can act on.
    var callToolResult: JSONValue {
        [
            "content": [["type": "text", "text": .string(text)]],
            "structuredContent": structuredContent,
            "isError": .bool(isError),
        ]
    }

    /// ``callToolResult`` as UTF-8 JSON, written without building it. A logout's two renderings
    /// are written from its fields (``LogoutResult/writeJSONText(to:)``); any other structured
    /// content is rendered once and copied, escaped, into the text content.
    func writeCallToolResult(to out: inout [UInt8]) {
        if case .loggedOut(let result) = self {
            // The hot path: both renderings written from the fields, no scratch, no second pass.
            out.append(contentsOf: #"{"content":[{"text":""#.utf8)
            result.writeJSONText(to: &out)
            out.append(contentsOf: #"","type":"text"}],"isError":false,"structuredContent":"#.utf8)
            result.writeJSON(to: &out)
            out.append(UInt8(ascii: "}"))
            return
        }
        var structured: [UInt8] = []
        structured.reserveCapacity(512)
        writeStructuredContent(to: &structured)
        out.append(contentsOf: #"{"content":[{"text":"#.utf8)
        structured.withUnsafeBufferPointer { JSONValue.writeString(utf8: $0, to: &out) }
        out.append(contentsOf: #","type":"text"}],"isError":"#.utf8)
        out.append(contentsOf: (isError ? "true" : "false").utf8)
        out.append(contentsOf: #","structuredContent":"#.utf8)
        out.append(contentsOf: structured)
        out.append(UInt8(ascii: "}"))
    }
}
