/// Makes a stand-in value for one that could not be decoded, so decoding can go on.
enum Placeholder {
    static func value<T: Decodable>(of type: T.Type) throws(DecodingAbort) -> T {
        if let scalarType = T.self as? any YAMLScalarDecodable.Type {
            return scalarType.yamlPlaceholder as! T
        }
        do {
            return try T(from: PlaceholderDecoder())
        } catch {
            throw DecodingAbort()
        }
    }
}

/// A decoder over nothing: every value is absent, every scalar its placeholder.
private struct PlaceholderDecoder: Decoder {
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed())
    }

    func unkeyedContainer() -> any UnkeyedDecodingContainer { Unkeyed() }

    func singleValueContainer() -> any SingleValueDecodingContainer { Single() }

    private struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }
        func contains(_ key: Key) -> Bool { false }
        func decodeNil(forKey key: Key) -> Bool { true }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try Placeholder.value(of: T.self) }
        func nestedContainer<N: CodingKey>(keyedBy type: N.Type, forKey key: Key) -> KeyedDecodingContainer<N> {
            KeyedDecodingContainer(Keyed<N>())
        }
        func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedDecodingContainer { Unkeyed() }
        func superDecoder() -> any Decoder { PlaceholderDecoder() }
        func superDecoder(forKey key: Key) -> any Decoder { PlaceholderDecoder() }
    }

    private struct Unkeyed: UnkeyedDecodingContainer {
        var codingPath: [any CodingKey] { [] }
        var count: Int? { 0 }
        var isAtEnd: Bool { true }
        var currentIndex: Int { 0 }
        mutating func decodeNil() -> Bool { true }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try Placeholder.value(of: T.self) }
        mutating func nestedContainer<N: CodingKey>(keyedBy type: N.Type) -> KeyedDecodingContainer<N> {
            KeyedDecodingContainer(Keyed<N>())
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedDecodingContainer { Unkeyed() }
        mutating func superDecoder() -> any Decoder { PlaceholderDecoder() }
    }

    private struct Single: SingleValueDecodingContainer {
        var codingPath: [any CodingKey] { [] }
        func decodeNil() -> Bool { true }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try Placeholder.value(of: T.self) }
    }
}
