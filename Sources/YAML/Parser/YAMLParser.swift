internal import CLibYAML

/// Parses YAML text into a positioned ``Node`` tree with the system libyaml.
///
/// One document only; duplicate keys are reported (the first occurrence stands); aliases are
/// expanded under a hard cap so an "alias bomb" fails fast instead of eating memory; merge keys
/// (`<<`) are applied.
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
    /// - Throws: ``YAMLErrors`` with every problem found (see ``parseCollecting(bytes:)``).
    public func parse(_ text: String) throws(YAMLErrors) -> Node? {
        try parse(bytes: Array(text.utf8))
    }

    /// Parses bytes (UTF-8, or UTF-16 with a byte order mark) holding at most one document;
    /// throws every problem found, as ``parse(_:)`` does.
    public func parse(bytes: [UInt8]) throws(YAMLErrors) -> Node? {
        let (root, problems) = try parseCollecting(bytes: bytes)
        if !problems.isEmpty { throw YAMLErrors(problems) }
        return root
    }

    /// Parses bytes holding at most one document, stepping over what can be stepped over.
    ///
    /// - Returns: the root (nil for no document) and the problems found on the way, in file
    ///   order: a duplicate key (the first occurrence stands; the repeat's value is left out), an
    ///   alias to no anchor (it stands for an empty value), a merge key on something that is not
    ///   a mapping (skipped), a second document (only the first is read).
    /// - Throws: ``YAMLErrors`` with the problems so far and what stopped parsing: a syntax error
    ///   libyaml cannot get past, collections nested deeper than ``Limits/maxDepth``, aliases
    ///   expanding past ``Limits/maxAliasExpansion``.
    public func parseCollecting(bytes: [UInt8]) throws(YAMLErrors) -> (root: Node?, problems: [YAMLError]) {
        if bytes.isEmpty { return (nil, []) }
        var builder = TreeBuilder(limits: limits, source: bytes)
        return try builder.run()
    }
}
