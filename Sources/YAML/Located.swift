/// A decoded value with the position and key path it was read from, so checks made after
/// decoding can still point at the line and column.
public struct Located<Value> {
    public var value: Value
    public var mark: Mark
    /// Kept as coding keys and rendered only when asked: most values never need it.
    private var codingPath: [any CodingKey]

    public init(_ value: Value, mark: Mark = .start, path: [String] = []) {
        self.value = value
        self.mark = mark
        self.codingPath = path.map(AnyCodingKey.init)
    }

    init(_ value: Value, mark: Mark, codingPath: [any CodingKey]) {
        self.value = value
        self.mark = mark
        self.codingPath = codingPath
    }

    /// The key path, as in ``YAMLError/path``.
    public var path: [String] {
        codingPath.map(DecodingContext.render)
    }

    /// A problem with this value, at its position.
    public func error(_ message: String) -> YAMLError {
        YAMLError(mark: mark, path: path, message: message)
    }
}

extension Located: @unchecked Sendable where Value: Sendable {}  // coding keys are values

extension Located: Equatable where Value: Equatable {
    public static func == (lhs: Located, rhs: Located) -> Bool {
        lhs.value == rhs.value && lhs.mark == rhs.mark && lhs.path == rhs.path
    }
}

extension Located: Hashable where Value: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(value)
        hasher.combine(mark)
    }
}

extension Located: Decodable where Value: Decodable {
    public init(from decoder: any Decoder) throws {
        guard let decoder = decoder as? NodeDecoder else {
            self.init(try Value(from: decoder), mark: .start, codingPath: decoder.codingPath)
            return
        }
        let value = try decoder.decodeValue(Value.self, from: decoder.node, at: decoder.codingPath)
        self.init(value, mark: decoder.node.mark, codingPath: decoder.codingPath)
    }
}

/// Lets ``NodeDecoder`` build a ``Located`` value without a decoder of its own.
protocol LocatedDecodable {
    static func decodeLocated(from node: Node, at path: [any CodingKey], with decoder: NodeDecoder) throws(DecodingAbort) -> Self
}

extension Located: LocatedDecodable where Value: Decodable {
    static func decodeLocated(from node: Node, at path: [any CodingKey], with decoder: NodeDecoder) throws(DecodingAbort) -> Located {
        Located(try decoder.decodeValue(Value.self, from: node, at: path), mark: node.mark, codingPath: path)
    }
}
