extension Decoder {
    /// The position of the value being decoded, when decoding with ``YAMLDecoder``.
    public var yamlMark: Mark? {
        (self as? NodeDecoder)?.node.mark
    }

    /// The positions of the keys of the mapping being decoded, when decoding with ``YAMLDecoder``.
    public var yamlKeyMarks: [String: Mark] {
        guard let decoder = self as? NodeDecoder, case .mapping(let pairs) = decoder.node.value else { return [:] }
        var marks: [String: Mark] = [:]
        for pair in pairs {
            if let key = pair.key.scalar?.text, marks[key] == nil { marks[key] = pair.key.mark }
        }
        return marks
    }
}
