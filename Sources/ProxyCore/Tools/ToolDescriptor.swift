/// A tool as `tools/list` shows it to one caller.
public struct ToolDescriptor: Sendable, Hashable {
    public struct Annotations: Sendable, Hashable {
        public var title: String
        public var readOnly: Bool
        public var destructive: Bool
        public var idempotent: Bool
        /// The tool talks to systems outside the proxy (Keycloak).
        public var openWorld: Bool
    }

    public var name: ToolName
    public var title: String
    public var description: String
    public var inputSchema: JSONValue
    public var outputSchema: JSONValue?
    public var annotations: Annotations
}
