/// A decoded value with the position and key path it was read from, so checks made after
/// decoding can still point at the line and column.
public struct Located<Value> {
    public var value: Value
    public var mark: Mark
    /// The key path, as in ``YAMLError/path``.
    public var path: [String]

    public init(_ value: Value, mark: Mark = .start, path: [String] = []) {
        self.value = value
        self.mark = mark
        self.path = path
    }

    /// A problem with this value, at its position.
    public func error(_ message: String) -> YAMLError {
        YAMLError(mark: mark, path: path, message: message)
    }
}

extension Located: Sendable where Value: Sendable {}
extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}

extension Located: Decodable where Value: Decodable {
    public init(from decoder: any Decoder) throws {
        guard let decoder = decoder as? NodeDecoder else {
            self.init(try Value(from: decoder), path: decoder.codingPath.map(DecodingContext.render))
            return
        }
        let value = try decoder.decodeValue(Value.self, from: decoder.node, at: decoder.codingPath)
        self.init(value, mark: decoder.node.mark, path: decoder.codingPath.map(DecodingContext.render))
    }
}
