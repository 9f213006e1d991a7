public import Foundation

/// The proxy's one way to write and read JSON: Foundation's `JSONEncoder` and `JSONDecoder`,
/// compact, keys sorted (the same value always renders the same text), `/` not escaped.
public enum JSONCoding {
    /// `value` as compact UTF-8 JSON with sorted keys.
    ///
    /// Only for values that always encode (``JSONValue``, the proxy's own records): a failure
    /// is a programming error.
    public static func encode(_ value: some Encodable) -> Data {
        do {
            return try encoder().encode(value)
        } catch {
            preconditionFailure("a value the proxy made did not encode as JSON: \(error)")
        }
    }

    /// `value` as compact JSON text with sorted keys.
    public static func text(_ value: some Encodable) -> String {
        String(decoding: encode(value), as: UTF8.self)
    }

    /// A `T` from UTF-8 JSON.
    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }

    private static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
