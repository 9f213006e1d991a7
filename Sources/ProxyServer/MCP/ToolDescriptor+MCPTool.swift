public import MCP
public import ProxyCore

extension ToolDescriptor {
    /// The tool as `tools/list` shows it: schema, title and behaviour hints.
    public var mcpTool: Tool {
        Tool(
            name: name.rawValue,
            title: title,
            description: description,
            inputSchema: inputSchema.mcpValue,
            annotations: Tool.Annotations(
                title: annotations.title,
                readOnlyHint: annotations.readOnly,
                destructiveHint: annotations.destructive,
                idempotentHint: annotations.idempotent,
                openWorldHint: annotations.openWorld
            ),
            outputSchema: outputSchema?.mcpValue
        )
    }
}
