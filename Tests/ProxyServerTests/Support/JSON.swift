import Foundation

/// A parsed JSON document, navigated by key and index; a missing step gives `.missing`.
struct JSON: CustomStringConvertible, @unchecked Sendable {
    let value: Any?

    init(_ value: Any?) { self.value = value }

    init(text: String) {
        value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    subscript(key: String) -> JSON { JSON((value as? [String: Any])?[key]) }
    subscript(index: Int) -> JSON {
        guard let array = value as? [Any], array.indices.contains(index) else { return JSON(nil) }
        return JSON(array[index])
    }

    var string: String? { value as? String }
    var int: Int? { value as? Int }
    var bool: Bool? { value as? Bool }
    var array: [JSON] { (value as? [Any])?.map(JSON.init) ?? [] }
    var keys: Set<String> { Set((value as? [String: Any])?.keys ?? [:].keys) }
    var exists: Bool { value != nil && !(value is NSNull) }

    var description: String {
        guard let value, JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
        else { return String(describing: value) }
        return String(decoding: data, as: UTF8.self)
    }
}
