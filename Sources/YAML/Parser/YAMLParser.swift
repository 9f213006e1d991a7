internal import CLibYAML

/// Parses YAML text into a positioned ``Node`` tree with the system libyaml.
///
/// One document only; duplicate keys are refused; aliases are expanded under a hard cap so an
/// "alias bomb" fails fast instead of eating memory; merge keys (`<<`) are applied.
public struct YAMLParser: Sendable {
    public struct Limits: Sendable, Hashable {
        /// How many nodes all aliases together may add to the tree.
        public var maxAliasExpansion: Int
        /// How deeply collections may nest.
        public var maxDepth: Int

        public init(maxAliasExpansion: Int = 100_000, maxDepth: Int = 128) {
            self.maxAliasExpansion = maxAliasExpansion
            self.maxDepth = maxDepth
        }
    }

    public var limits: Limits

    public init(limits: Limits = .init()) {
        self.limits = limits
    }

    /// Parses a text holding at most one document.
    ///
    /// - Returns: the document's root node, or nil when the text holds no document (empty, or
    ///   only comments and blank lines).
    /// - Throws: ``YAMLErrors`` with every duplicate key found, or the first syntax error.
    public func parse(_ text: String) throws(YAMLErrors) -> Node? {
        try parse(bytes: Array(text.utf8))
    }

    /// Parses bytes (UTF-8, or UTF-16 with a byte order mark) holding at most one document.
    public func parse(bytes: [UInt8]) throws(YAMLErrors) -> Node? {
        if bytes.isEmpty { return nil }
        var builder = TreeBuilder(limits: limits, source: bytes)
        return try builder.run()
    }
}
