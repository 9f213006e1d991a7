import Foundation
public import MCP
public import ProxyCore

extension JSONValue {
    /// The same value as the MCP SDK's ``MCP/Value``.
    public var mcpValue: MCP.Value {
        switch self {
        case .null: .null
        case .bool(let value): .bool(value)
        case .int(let value): .int(value)
        case .double(let value): .double(value)
        case .string(let value): .string(value)
        case .array(let values): .array(values.map(\.mcpValue))
        case .object(let object): .object(object.mapValues(\.mcpValue))
        }
    }

    /// A value the MCP SDK decoded. The SDK turns strings that look like `data:` URLs into
    /// ``MCP/Value/data(mimeType:_:)``; they come back as the string they were.
    public init(_ value: MCP.Value) {
        switch value {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .int(let value): self = .int(value)
        case .double(let value): self = .double(value)
        case .string(let value): self = .string(value)
        case .data(let mimeType, let data): self = .string(data.dataURLEncoded(mimeType: mimeType))
        case .array(let values): self = .array(values.map { JSONValue($0) })
        case .object(let object): self = .object(object.mapValues { JSONValue($0) })
        }
    }
}
