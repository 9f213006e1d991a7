/// A `Decoder` over one node. Records problems in the shared ``DecodingContext``.
///
/// A class: one allocation per decoded value, where a struct would need a box as
/// `any Decoder` plus an object for the key bookkeeping.
final class NodeDecoder: Decoder {
    let node: Node
    let codingPath: [any CodingKey]
    let context: DecodingContext

    // Which keys the decoded type asked for, to find the ones it does not know.
    var isKeyed = false
    /// The type enumerated `allKeys` (a dictionary): no key is unknown to it.
    var readAllKeys = false
    /// Every key name asked for, for "did you mean" (repeats are harmless).
    var askedKeys: [String] = []
    /// Which pairs were read, by index: a bit each for the first 64, a set past them.
    private var usedMask: UInt64 = 0
    private var usedBeyondMask: Set<Int> = []

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(node: Node, codingPath: [any CodingKey], context: DecodingContext) {
        self.node = node
        self.codingPath = codingPath
        self.context = context
    }

    func markUsed(_ index: Int) {
        if index < 64 { usedMask |= 1 << UInt64(index) } else { usedBeyondMask.insert(index) }
    }

    func isUsed(_ index: Int) -> Bool {
        index < 64 ? usedMask & (1 << UInt64(index)) != 0 : usedBeyondMask.contains(index)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let pairs) = node.value else {
            try context.record("expected a mapping, found \(node.kindDescription)", at: node.mark, path: codingPath)
            throw AlreadyRecorded()
        }
        isKeyed = true
        return KeyedDecodingContainer(KeyedContainer(decoder: self, pairs: pairs))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let items) = node.value else {
            try context.record("expected a list, found \(node.kindDescription)", at: node.mark, path: codingPath)
            throw AlreadyRecorded()
        }
        return UnkeyedContainer(decoder: self, items: items)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(decoder: self)
    }

    /// Decodes a child value; records any problem and returns a placeholder instead.
    func decodeValue<T: Decodable>(_ type: T.Type, from node: Node, at path: [any CodingKey]) throws(DecodingAbort) -> T {
        switch context.kind(of: T.self) {
        case .scalar(let scalarType):
            // Opening the existential gives the value as `S`, which is `T`: no cast needed.
            func decode<S: YAMLScalarDecodable>(_: S.Type) throws(DecodingAbort) -> T {
                unsafeBitCast(try decodeScalar(S.self, from: node, at: path), to: T.self)
            }
            return try decode(scalarType)
        case .located(let locatedType):
            func decode<L: LocatedDecodable>(_: L.Type) throws(DecodingAbort) -> T {
                unsafeBitCast(try L.decodeLocated(from: node, at: path, with: self), to: T.self)
            }
            return try decode(locatedType)
        case .other:
            break
        }
        let child = NodeDecoder(node: node, codingPath: path, context: context)
        do {
            let value = try T(from: child)
            try child.reportUnknownKeys()
            return value
        } catch let abort as DecodingAbort {
            throw abort
        } catch is AlreadyRecorded {
        } catch {
            try context.record(Self.describe(error), at: node.mark, path: path)
        }
        return try Placeholder.value(of: T.self)
    }

    private func decodeScalar<T: YAMLScalarDecodable>(_ type: T.Type, from node: Node, at path: [any CodingKey]) throws(DecodingAbort) -> T {
        guard case .scalar(let scalar) = node.value else {
            try context.record("expected \(T.yamlExpectation), found \(node.kindDescription)", at: node.mark, path: path)
            return T.yamlPlaceholder
        }
        if scalar.isNull {
            let found = scalar.text.isEmpty ? "no value" : "null"
            try context.record("expected \(T.yamlExpectation), found \(found)", at: node.mark, path: path)
            return T.yamlPlaceholder
        }
        let text: String
        switch Interpolation.substitute(scalar.text, environment: context.environment) {
        case .success(let substituted): text = substituted
        case .failure(let problem):
            try context.record(problem.message, at: node.mark, path: path)
            return T.yamlPlaceholder
        }
        // An explicit !!str makes a string even of `8` or `true`.
        let style: Scalar.Style = scalar.tag == Scalar.stringTag ? .doubleQuoted : scalar.style
        do {
            if let value = try T(yamlScalar: text, style: style) { return value }
        } catch {
            try context.record(error.message, at: node.mark, path: path)
            return T.yamlPlaceholder
        }
        // Never quote a substituted value: it may be a secret.
        let found = text == scalar.text ? "\"\(scalar.displayText)\"" : "the value of \"\(scalar.displayText)\""
        var message = "expected \(T.yamlExpectation), found \(found)"
        if style != .plain, (try? T(yamlScalar: text, style: .plain)) != nil {
            message += " (a quoted string; remove the quotes)"
        }
        try context.record(message, at: node.mark, path: path)
        return T.yamlPlaceholder
    }

    /// Reports the keys of this node's mapping that the decoded type never asked for.
    func reportUnknownKeys() throws(DecodingAbort) {
        guard isKeyed, !readAllKeys, case .mapping(let pairs) = node.value else { return }
        guard pairs.indices.contains(where: { !isUsed($0) }) else { return }
        let known = Set(askedKeys)
        for (index, pair) in pairs.enumerated() where !isUsed(index) {
            guard case .scalar(let scalar) = pair.key.value else { continue }
            let key = scalar.text
            if codingPath.isEmpty, let prefix = context.extensionKeyPrefix, key.hasPrefix(prefix) { continue }
            var message = "unknown key \"\(key)\""
            if let suggestion = Suggestion.closest(to: key, among: known) {
                message += "; did you mean \"\(suggestion)\"?"
            } else if !known.isEmpty {
                message += "; expected one of: \(known.sorted().joined(separator: ", "))"
            }
            try context.record(message, at: pair.key.mark, path: codingPath + [AnyCodingKey(key)])
        }
    }

    /// The message of an error thrown by a type's own `init(from:)`.
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as YAMLScalarProblem: return error.message
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        case DecodingError.typeMismatch(_, let context): return context.debugDescription
        case DecodingError.valueNotFound(_, let context): return context.debugDescription
        case DecodingError.keyNotFound(let key, _): return "missing required key \"\(key.stringValue)\""
        default: return "\(error)"
        }
    }
}
