import ProxyCore

extension ToolDescriptor {
    /// The tool as `tools/list` shows it: schema, title and behaviour hints.
    var listEntry: JSONValue {
        var entry: [String: JSONValue] = [
            "name": .string(name.rawValue),
            "title": .string(title),
            "description": .string(description),
            "inputSchema": inputSchema,
            "annotations": [
                "title": .string(annotations.title),
                "readOnlyHint": .bool(annotations.readOnly),
                "destructiveHint": .bool(annotations.destructive),
                "idempotentHint": .bool(annotations.idempotent),
                "openWorldHint": .bool(annotations.openWorld),
            ],
        ]
        if let outputSchema { entry["outputSchema"] = outputSchema }
        return .object(entry)
    }
}
