internal import CLibYAML

/// Turns libyaml's event stream into a ``Node`` tree without recursion.
struct TreeBuilder {
    /// A collection being built. Frames are changed in place on the stack, never popped and
    /// pushed again per child.
    private struct Frame {
        var isMapping: Bool
        var mark: Mark
        var anchor: String?
        var items: [Node] = []
        var pairs: [Pair] = []
        /// A mapping's key whose value is being built.
        var pendingKey: Node?
        /// The pending key repeats an earlier one: its value is built (and checked) but dropped,
        /// so the first occurrence stands.
        var pendingKeyIsDuplicate = false
        /// Indexes keys once a mapping is large; small ones are scanned.
        var seen: [String: Mark]?
        /// Nodes in this subtree so far, itself included.
        var size = 1
    }

    private let limits: YAMLParser.Limits
    private let source: [UInt8]
    private var stack: [Frame] = []
    private var anchors: [String: (node: Node, size: Int)] = [:]
    private var aliasExpansion = 0
    private var documents = 0
    private var root: Node?
    /// Problems that do not stop parsing: duplicate keys, an alias to no anchor, a merge key
    /// on something that is not a mapping, a second document.
    private var problems: [YAMLError] = []

    init(limits: YAMLParser.Limits, source: [UInt8]) {
        self.limits = limits
        self.source = source
    }

    /// The document's root (nil for no document) and the problems parsing stepped over.
    /// - Throws: what ends parsing: a syntax error libyaml cannot get past, collections nested
    ///   too deep, aliases that expand too far; with the problems found before it.
    mutating func run() throws(YAMLErrors) -> (root: Node?, problems: [YAMLError]) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLErrors([YAMLError(mark: .start, message: "could not start the YAML parser (out of memory)")])
        }
        defer { yaml_parser_delete(&parser) }

        let result: Result<Void, YAMLErrors> = source.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    return .failure(YAMLErrors(problems + [syntaxError(parser)]))
                }
                defer { yaml_event_delete(&event) }
                do throws(YAMLError) {
                    if try handle(&event) { return .success(()) }
                } catch {
                    return .failure(YAMLErrors(problems + [error]))
                }
            }
        }
        try result.get()
        return (root, problems)
    }

    /// Handles one event; true at the end of the stream.
    private mutating func handle(_ event: inout yaml_event_t) throws(YAMLError) -> Bool {
        let mark = Mark(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_STREAM_END_EVENT:
            return true
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                // The first document is whole by now: it is what gets checked.
                problems.append(
                    YAMLError(
                        mark: mark,
                        message: "found a second YAML document; a config file holds exactly one (remove the '---' separator)"
                    ))
                return true
            }
        case YAML_SCALAR_EVENT:
            let data = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
            var tag = data.tag.map { String(cString: $0) }
            if tag == "!" { tag = Scalar.stringTag }
            let scalar = Scalar(text, style: Self.style(data.style), tag: tag)
            try complete(Node(.scalar(scalar), mark: mark), size: 1, anchor: data.anchor.map { String(cString: $0) })
        case YAML_ALIAS_EVENT:
            let name = String(cString: event.data.alias.anchor)
            guard let target = anchors[name] else {
                problems.append(YAMLError(mark: mark, path: path, message: "alias *\(name) refers to no anchor &\(name) defined before it"))
                // Stands for nothing: an empty value, which the decoder does not report again.
                try complete(Node(.scalar(Scalar("", style: .plain, tag: nil)), mark: mark), size: 1, anchor: nil)
                return false
            }
            aliasExpansion += target.size
            if aliasExpansion > limits.maxAliasExpansion {
                throw YAMLError(
                    mark: mark, path: path,
                    message: "aliases expand to more than \(limits.maxAliasExpansion) nodes (an alias bomb?); stopped at *\(name)"
                )
            }
            try complete(target.node, size: target.size, anchor: nil)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            if stack.count >= limits.maxDepth {
                throw YAMLError(mark: mark, path: path, message: "collections nest deeper than \(limits.maxDepth) levels")
            }
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
            stack.append(Frame(isMapping: isMapping, mark: mark, anchor: anchor.map { String(cString: $0) }))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let frame = stack.removeLast()
            let node =
                frame.isMapping
                ? Node(.mapping(applyingMergeKeys(frame.pairs, path: path)), mark: frame.mark)
                : Node(.sequence(frame.items), mark: frame.mark)
            try complete(node, size: frame.size, anchor: frame.anchor)
        default:
            break  // stream start, document end
        }
        return false
    }

    /// Adds a finished node to its parent, or makes it the root.
    private mutating func complete(_ node: Node, size: Int, anchor: String?) throws(YAMLError) {
        if let anchor { anchors[anchor] = (node, size) }
        let top = stack.count - 1
        guard top >= 0 else {
            root = node
            return
        }
        stack[top].size += size
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return
        }
        if let key = stack[top].pendingKey {
            stack[top].pendingKey = nil
            if stack[top].pendingKeyIsDuplicate {
                stack[top].pendingKeyIsDuplicate = false
            } else {
                stack[top].pairs.append(Pair(key: key, value: node))
            }
            return
        }
        if case .scalar(let scalar) = node.value, !Self.isMergeKey(node) {
            let pairs = stack[top].pairs
            if let first = Self.firstMark(of: scalar.text, in: pairs, seen: &stack[top].seen) {
                // `path` names the mapping itself: it has no pending key yet.
                problems.append(
                    YAMLError(
                        mark: node.mark, path: path + [scalar.text],
                        message: "duplicate key \"\(scalar.displayText)\"; it is first defined at line \(first.line), column \(first.column)"
                    )
                )
                stack[top].pendingKeyIsDuplicate = true
            } else if stack[top].seen != nil {
                stack[top].seen?[scalar.text] = node.mark
            }
        }
        stack[top].pendingKey = node
    }

    /// The key path of the node being built, for error messages.
    private var path: [String] {
        stack.compactMap { frame in
            guard frame.isMapping else { return "[\(frame.items.count)]" }
            return frame.pendingKey.map { $0.scalar?.text ?? "?" }
        }
    }

    /// Where a key was first defined in a mapping being built, if it was.
    private static func firstMark(of key: String, in pairs: [Pair], seen: inout [String: Mark]?) -> Mark? {
        if let seen { return seen[key] }
        let length = key.utf8.count
        for pair in pairs {
            if case .scalar(let other) = pair.key.value, other.text.utf8.count == length, other.text == key {
                return pair.key.mark
            }
        }
        if pairs.count >= 16 {
            var index: [String: Mark] = [:]
            for pair in pairs {
                if case .scalar(let other) = pair.key.value, index[other.text] == nil { index[other.text] = pair.key.mark }
            }
            seen = index
        }
        return nil
    }

    private static func isMergeKey(_ node: Node) -> Bool {
        guard let scalar = node.scalar else { return false }
        return scalar.text == "<<" && scalar.style == .plain
    }

    /// Replaces each `<<: *anchor` (or `<<: [*a, *b]`) entry with the anchored mapping's pairs
    /// whose keys the mapping does not set itself. Earlier sources win over later ones. A source
    /// that is not a mapping is a problem, and skipped.
    private mutating func applyingMergeKeys(_ pairs: [Pair], path: [String]) -> [Pair] {
        guard pairs.contains(where: { Self.isMergeKey($0.key) }) else { return pairs }
        var present = Set(pairs.compactMap { Self.isMergeKey($0.key) ? nil : $0.key.scalar?.text })
        var result: [Pair] = []
        for pair in pairs {
            guard Self.isMergeKey(pair.key) else {
                result.append(pair)
                continue
            }
            let sources: [Node]
            switch pair.value.value {
            case .mapping: sources = [pair.value]
            case .sequence(let items): sources = items
            case .scalar: sources = [pair.value]
            }
            for source in sources {
                guard case .mapping(let merged) = source.value else {
                    // An alias to no anchor was reported at its place already.
                    if !problems.contains(where: { $0.mark == source.mark }) {
                        problems.append(
                            YAMLError(
                                mark: source.mark, path: path + ["<<"],
                                message: "a merge key (<<) takes a mapping or a list of mappings, found \(source.kindDescription)"
                            ))
                    }
                    continue
                }
                for item in merged {
                    if let key = item.key.scalar?.text {
                        if present.contains(key) { continue }
                        present.insert(key)
                    }
                    result.append(item)
                }
            }
        }
        return result
    }

    private static func style(_ style: yaml_scalar_style_t) -> Scalar.Style {
        switch style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: .literal
        case YAML_FOLDED_SCALAR_STYLE: .folded
        default: .plain
        }
    }

    // MARK: - libyaml's own errors

    private func syntaxError(_ parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        if parser.error == YAML_READER_ERROR {
            // Point at the start of a broken character, not at its bad trailing byte.
            var offset = min(parser.problem_offset, source.count)
            if problem.contains("trailing") {
                while offset > 0, source[offset - 1] & 0xC0 == 0x80 { offset -= 1 }
                if offset > 0, source[offset - 1] >= 0xC0 { offset -= 1 }
            }
            let mark = markForByteOffset(offset)
            if problem.contains("UTF-8") || problem.contains("UTF-16") {
                return YAMLError(mark: mark, message: "the file is not valid text: \(problem) at byte \(offset)")
            }
            return YAMLError(mark: mark, message: "the file cannot be read as YAML: \(problem) at byte \(parser.problem_offset)")
        }
        if parser.error == YAML_MEMORY_ERROR {
            return YAMLError(mark: .start, message: "the YAML parser ran out of memory")
        }
        let mark = Mark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
        // No key path: libyaml scans ahead, so the key being built may be an earlier one.
        if character(at: mark) == "\t" {
            return YAMLError(mark: mark, message: "found a tab character; YAML indents with spaces only")
        }
        var message = "invalid YAML: \(problem)"
        if let context = parser.context.map({ String(cString: $0) }) {
            let contextMark = Mark(line: Int(parser.context_mark.line) + 1, column: Int(parser.context_mark.column) + 1)
            message += " (\(context) at line \(contextMark.line), column \(contextMark.column))"
        }
        return YAMLError(mark: mark, message: message)
    }

    /// The line and column of a byte offset, counting columns in UTF-8 characters.
    private func markForByteOffset(_ offset: Int) -> Mark {
        var line = 1
        var column = 1
        for byte in source.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return Mark(line: line, column: column)
    }

    /// The character at a mark, if the mark is inside the text.
    private func character(at mark: Mark) -> Character? {
        var line = 1
        var start = source.startIndex
        while line < mark.line, let newline = source[start...].firstIndex(of: UInt8(ascii: "\n")) {
            start = newline + 1
            line += 1
        }
        guard line == mark.line else { return nil }
        let end = source[start...].firstIndex(of: UInt8(ascii: "\n")) ?? source.endIndex
        let text = String(decoding: source[start..<end], as: UTF8.self)
        let characters = Array(text.unicodeScalars)
        guard mark.column - 1 < characters.count, mark.column >= 1 else { return nil }
        return Character(characters[mark.column - 1])
    }
}
