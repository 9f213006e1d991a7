/// A type read from one scalar, with an error message that says what was expected.
///
/// ``YAMLDecoder`` decodes such types itself: it substitutes `${NAME}`, calls
/// ``init(yamlScalar:style:)``, and on `nil` records
/// `expected <yamlExpectation>, found "<text>"` at the scalar's position.
public protocol YAMLScalarDecodable: Decodable {
    /// What a valid value looks like, for messages: `an integer`, `a duration like "10s"`.
    static var yamlExpectation: String { get }
    /// Stands in for an invalid value while decoding goes on to find more problems.
    static var yamlPlaceholder: Self { get }
    /// The value of a scalar's text; nil when it does not fit. Throw for a more precise message.
    init?(yamlScalar text: String, style: Scalar.Style) throws(YAMLScalarProblem)
}

/// A precise reason why a scalar is not a valid value.
public struct YAMLScalarProblem: Error, Sendable, Hashable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}

extension YAMLScalarDecodable {
    /// Decodes from a single string, for decoders other than ``YAMLDecoder``.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = try Self(yamlScalar: text, style: .plain) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "expected \(Self.yamlExpectation), found \"\(text)\"")
            )
        }
        self = value
    }
}

extension String: YAMLScalarDecodable {
    public static var yamlExpectation: String { "a string" }
    public static var yamlPlaceholder: String { "" }
    public init?(yamlScalar text: String, style: Scalar.Style) { self = text }
}

extension Bool: YAMLScalarDecodable {
    public static var yamlExpectation: String { "true or false" }
    public static var yamlPlaceholder: Bool { false }
    public init?(yamlScalar text: String, style: Scalar.Style) {
        guard style == .plain else { return nil }
        switch text {
        case "true", "True", "TRUE": self = true
        case "false", "False", "FALSE": self = false
        default: return nil
        }
    }
}

extension YAMLScalarDecodable where Self: FixedWidthInteger {
    public static var yamlExpectation: String { "an integer" }
    public static var yamlPlaceholder: Self { 0 }
    public init?(yamlScalar text: String, style: Scalar.Style) throws(YAMLScalarProblem) {
        guard style == .plain else { return nil }
        let digits = String(text.filter { $0 != "_" })
        guard let value = Self(digits, radix: 10) else {
            if let big = Double(digits), big == big.rounded(), !digits.contains(".") {
                throw YAMLScalarProblem("\(text) is out of range (\(Self.min)...\(Self.max))")
            }
            return nil
        }
        self = value
    }
}

extension Int: YAMLScalarDecodable {}
extension Int8: YAMLScalarDecodable {}
extension Int16: YAMLScalarDecodable {}
extension Int32: YAMLScalarDecodable {}
extension Int64: YAMLScalarDecodable {}
extension UInt: YAMLScalarDecodable {}
extension UInt8: YAMLScalarDecodable {}
extension UInt16: YAMLScalarDecodable {}
extension UInt32: YAMLScalarDecodable {}
extension UInt64: YAMLScalarDecodable {}

extension YAMLScalarDecodable where Self: BinaryFloatingPoint & LosslessStringConvertible {
    public static var yamlExpectation: String { "a number" }
    public static var yamlPlaceholder: Self { 0 }
    public init?(yamlScalar text: String, style: Scalar.Style) {
        guard style == .plain, let value = Self(text), value.isFinite else { return nil }
        self = value
    }
}

extension Double: YAMLScalarDecodable {}
extension Float: YAMLScalarDecodable {}

extension YAMLScalarDecodable where Self: RawRepresentable & CaseIterable, RawValue == String {
    /// `one of "a", "b"`.
    public static var yamlExpectation: String {
        "one of " + allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
    }

    public static var yamlPlaceholder: Self { allCases.first! }

    public init?(yamlScalar text: String, style: Scalar.Style) throws(YAMLScalarProblem) {
        if let value = Self(rawValue: text) {
            self = value
            return
        }
        if let suggestion = Suggestion.closest(to: text, among: Self.allCases.map(\.rawValue)) {
            throw YAMLScalarProblem("expected \(Self.yamlExpectation), found \"\(text)\"; did you mean \"\(suggestion)\"?")
        }
        return nil
    }
}
