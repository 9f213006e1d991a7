/// Decodes plain `Decodable` types from a YAML ``Node``, reporting every problem at once.
///
/// A bad value does not stop decoding: its problem is recorded with the value's position and
/// key path, a placeholder stands in, and decoding goes on so that one run names every mistake.
/// Keys that the decoded type never asked for are reported as unknown, with a suggestion when a
/// known key is close. `${NAME}` in a scalar is replaced by the environment variable `NAME`
/// (`${NAME:-fallback}` when unset; `$${` writes a literal `${`); a substituted value is never
/// quoted in an error, so a secret read from the environment cannot leak through one.
public struct YAMLDecoder: Sendable {
    /// The variables `${NAME}` reads. Nothing is read from the process unless passed here.
    public var environment: [String: String]
    /// Decoding stops after this many problems.
    public var maxErrors: Int
    /// Top-level keys with this prefix are never unknown (`x-` holds anchors for `<<` merges).
    public var extensionKeyPrefix: String?

    public init(environment: [String: String] = [:], maxErrors: Int = 100, extensionKeyPrefix: String? = nil) {
        self.environment = environment
        self.maxErrors = maxErrors
        self.extensionKeyPrefix = extensionKeyPrefix
    }

    /// Decodes a value from a node.
    public func decode<T: Decodable>(_ type: T.Type, from node: Node) throws(YAMLErrors) -> T {
        let (value, errors) = decodeCollecting(type, from: node)
        if !errors.isEmpty { throw YAMLErrors(errors) }
        guard let value else {
            throw YAMLErrors([YAMLError(mark: node.mark, message: "could not decode \(T.self)")])
        }
        return value
    }

    /// Decodes as far as possible: the value (with placeholders where values were bad, nil if
    /// decoding had to stop) and every problem found, so that later checks can still run.
    public func decodeCollecting<T: Decodable>(_ type: T.Type, from node: Node) -> (value: T?, errors: [YAMLError]) {
        let context = DecodingContext(environment: environment, maxErrors: maxErrors, extensionKeyPrefix: extensionKeyPrefix)
        let root = NodeDecoder(node: node, codingPath: [], context: context)
        let value = try? root.decodeValue(T.self, from: node, at: [])
        return (value, context.sortedErrors)
    }

    /// Parses a text and decodes its document. An empty text is an error.
    public func decode<T: Decodable>(
        _ type: T.Type,
        from bytes: [UInt8],
        parser: YAMLParser = YAMLParser()
    ) throws(YAMLErrors) -> T {
        guard let node = try parser.parse(bytes: bytes) else {
            throw YAMLErrors([YAMLError(mark: .start, message: "the file is empty; expected a mapping of settings")])
        }
        return try decode(type, from: node)
    }
}
