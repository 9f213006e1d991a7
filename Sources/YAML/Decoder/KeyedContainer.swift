/// A mapping's keys and values for a type's `init(from:)`.
struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: NodeDecoder
    let pairs: [Pair]
    /// The text of each key ("" for a key that is not a scalar).
    private let keys: [String]
    /// Key positions for large mappings; small ones are searched in order.
    private let index: [String: Int]?

    init(decoder: NodeDecoder, pairs: [Pair]) {
        self.decoder = decoder
        self.pairs = pairs
        let keys = pairs.map { pair -> String in
            if case .scalar(let scalar) = pair.key.value { return scalar.text }
            return ""
        }
        self.keys = keys
        guard pairs.count > 16 else {
            self.index = nil
            return
        }
        var index: [String: Int] = [:]
        index.reserveCapacity(pairs.count)
        for (offset, key) in keys.enumerated() where index[key] == nil {
            index[key] = offset
        }
        self.index = index
    }

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] {
        decoder.readAllKeys = true
        return pairs.compactMap { pair in pair.key.scalar.flatMap { Key(stringValue: $0.text) } }
    }

    private func value(for key: Key) -> Node? {
        let name = key.stringValue
        if decoder.askedKeys.isEmpty { decoder.askedKeys.reserveCapacity(16) }
        decoder.askedKeys.append(name)
        let position: Int?
        if let index {
            position = index[name]
        } else {
            let length = name.utf8.count
            position = keys.firstIndex { $0.utf8.count == length && $0 == name }
        }
        guard let position else { return nil }
        decoder.markUsed(position)
        return pairs[position].value
    }

    func contains(_ key: Key) -> Bool { value(for: key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let node = value(for: key) else { return true }
        return node.scalar?.isNull ?? false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decode(type, key)
    }

    /// The one implementation behind every `decode(_:forKey:)` (named apart so that overload
    /// resolution cannot pick a concrete `decode` and recurse).
    private func decode<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        guard let node = value(for: key) else {
            try decoder.context.record("missing required key \"\(key.stringValue)\"", at: decoder.node.mark, path: codingPath)
            return try Placeholder.value(of: T.self)
        }
        return try decoder.decodeValue(T.self, from: node, at: codingPath + [key])
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let node = value(for: key), !(node.scalar?.isNull ?? false) else { return nil }
        return try decoder.decodeValue(T.self, from: node, at: codingPath + [key])
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type, key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(type, key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try childDecoder(for: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try childDecoder(for: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }

    func superDecoder(forKey key: Key) throws -> any Decoder { try childDecoder(for: key) }

    private func childDecoder(for key: Key) throws -> NodeDecoder {
        guard let node = value(for: key) else {
            try decoder.context.record("missing required key \"\(key.stringValue)\"", at: decoder.node.mark, path: codingPath)
            throw AlreadyRecorded()
        }
        return NodeDecoder(node: node, codingPath: codingPath + [key], context: decoder.context)
    }
}
