public import YAML

/// A duration written as `250ms`, `2s`, `5m`, `1h` or a sum such as `1m30s`.
public struct ConfigDuration: Sendable, Hashable, YAMLScalarDecodable, CustomStringConvertible {
    public var duration: Duration

    public init(_ duration: Duration) {
        self.duration = duration
    }

    /// The longest duration a config value is read as (about 31 years), in milliseconds.
    static let ceiling: Double = 1e12

    public static var yamlExpectation: String { "a duration like \"10s\"" }
    public static var yamlPlaceholder: ConfigDuration { .init(.zero) }

    public init?(yamlScalar text: String, style: Scalar.Style) throws(YAMLScalarProblem) {
        // Bytes, not Characters: every valid duration is ASCII.
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var total = Duration.zero
        var i = 0
        while i < bytes.count {
            let numberStart = i
            while i < bytes.count, bytes[i].isASCIIDigit || bytes[i] == UInt8(ascii: ".") { i += 1 }
            guard i > numberStart, let value = Double(String(decoding: bytes[numberStart..<i], as: UTF8.self)) else { return nil }
            let unitStart = i
            while i < bytes.count, bytes[i].isASCIILetter { i += 1 }
            let seconds: Double
            switch bytes[unitStart..<i] {
            case let unit where unit.elementsEqual("ms".utf8): seconds = value / 1000
            case let unit where unit.elementsEqual("s".utf8): seconds = value
            case let unit where unit.elementsEqual("m".utf8): seconds = value * 60
            case let unit where unit.elementsEqual("h".utf8): seconds = value * 3600
            case let unit where unit.isEmpty:
                throw YAMLScalarProblem("expected a duration like \"10s\", found \"\(text)\" (add a unit: ms, s, m or h)")
            default: return nil
            }
            // Far past every range the config allows, and far from overflowing: a value beyond it
            // is refused by its range check, naming this bound, instead of crashing the loader.
            let milliseconds = (seconds * 1000).rounded()
            total = min(total + .milliseconds(milliseconds.isFinite ? Int64(min(milliseconds, Self.ceiling)) : Int64(Self.ceiling)), .milliseconds(Int64(Self.ceiling)))
        }
        self.duration = total
    }

    /// `250ms`, `2s`, `5m`: the shortest exact form.
    public var description: String {
        let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if ms % 3_600_000 == 0, ms > 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0, ms > 0 { return "\(ms / 60_000)m" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }
}

extension UInt8 {
    fileprivate var isASCIIDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    fileprivate var isASCIILetter: Bool { self | 0x20 >= UInt8(ascii: "a") && self | 0x20 <= UInt8(ascii: "z") }
}
