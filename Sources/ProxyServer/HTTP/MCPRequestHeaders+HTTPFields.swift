import HTTPTypes
import ProxyCore

extension MCPRequestHeaders {
    /// The MCP headers among `fields`.
    init(_ fields: HTTPFields) {
        self.init()
        for field in fields {
            let name = field.name.canonicalName
            switch name {
            case "mcp-protocol-version": protocolVersion.append(field.value)
            case "mcp-method": method.append(field.value)
            case "mcp-name": self.name.append(field.value)
            case "traceparent": trace.traceparent = trace.traceparent ?? field.value
            case "tracestate": trace.tracestate = trace.tracestate ?? field.value
            default:
                if name.hasPrefix("mcp-param-") {
                    parameters[String(name.dropFirst("mcp-param-".count)), default: []].append(field.value)
                }
            }
        }
    }
}
