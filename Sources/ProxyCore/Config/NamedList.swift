public import YAML

/// A mapping from names to values that keeps document order, each entry with its position.
public struct NamedList<Value: Decodable>: Decodable {
    public struct Entry {
        public var name: Located<String>
        public var value: Value
    }

    public var entries: [Entry]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let keyMarks = decoder.yamlKeyMarks
        var entries: [Entry] = []
        for key in container.allKeys {
            let value = try container.decode(Located<Value>.self, forKey: key)
            let mark = keyMarks[key.stringValue] ?? value.mark
            entries.append(Entry(name: Located(key.stringValue, mark: mark, path: value.path), value: value.value))
        }
        self.entries = entries
    }
}

extension NamedList.Entry: Sendable where Value: Sendable {}
extension NamedList: Sendable where Value: Sendable {}
