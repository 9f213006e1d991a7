import ProxyCore

/// A JSON Schema checker for the tests, just big enough for the tools' output schemas: the
/// keywords `type`, `properties`, `required`, `additionalProperties` (false or a schema),
/// `items`, `enum` and `minimum`; `description`, `title` and `format` are annotations and
/// checked for nothing. Any other keyword is reported as a violation, so a schema using more
/// than this knows can never pass unchecked.
enum SchemaCheck {
    static let annotations: Set<String> = ["description", "title", "format", "$schema"]

    /// What is wrong with `value` against `schema`, one line per violation, each naming where
    /// (`$.sessions[0].id`); empty when `value` is valid.
    static func violations(of value: JSONValue, against schema: JSONValue, at path: String = "$") -> [String] {
        guard case .object(let keywords) = schema else {
            return schema == .bool(true) ? [] : ["\(path): schema \(schema.jsonText) is not an object"]
        }
        var found: [String] = []
        for keyword in keywords.keys.sorted()
        where !annotations.contains(keyword)
            && !["type", "properties", "required", "additionalProperties", "items", "enum", "minimum"].contains(keyword)
        {
            found.append("\(path): the checker does not know the keyword \(keyword)")
        }
        if let type = keywords["type"] {
            let names: [String] =
                switch type {
                case .string(let name): [name]
                case .array(let list): list.compactMap(\.stringValue)
                default: []
                }
            if names.isEmpty { found.append("\(path): type \(type.jsonText) names no type") }
            if !names.isEmpty, !names.contains(where: { has(value, type: $0) }) {
                found.append("\(path): \(value.jsonText) is not of type \(type.jsonText)")
                return found  // the other keywords would only repeat it
            }
        }
        if case .array(let allowed)? = keywords["enum"], !allowed.contains(value) {
            found.append("\(path): \(value.jsonText) is not one of \(JSONValue.array(allowed).jsonText)")
        }
        if let minimum = keywords["minimum"].flatMap(number), let actual = number(value), actual < minimum {
            found.append("\(path): \(value.jsonText) is below the minimum \(minimum)")
        }
        if case .object(let members) = value {
            let properties: [String: JSONValue] = if case .object(let declared)? = keywords["properties"] { declared } else { [:] }
            if case .array(let required)? = keywords["required"] {
                for case .string(let key) in required where members[key] == nil {
                    found.append("\(path): the required key \(key) is missing")
                }
            }
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                if let property = properties[key] {
                    found += violations(of: member, against: property, at: "\(path).\(key)")
                } else if let additional = keywords["additionalProperties"] {
                    if additional == .bool(false) {
                        found.append("\(path): the key \(key) is not allowed")
                    } else {
                        found += violations(of: member, against: additional, at: "\(path).\(key)")
                    }
                }
            }
        }
        if case .array(let elements) = value, let items = keywords["items"] {
            for (index, element) in elements.enumerated() {
                found += violations(of: element, against: items, at: "\(path)[\(index)]")
            }
        }
        return found
    }

    private static func has(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null): true
        case ("integer", .int), ("number", .int), ("number", .double): true
        case ("integer", .double(let number)): number.rounded() == number
        default: false
        }
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }
}
