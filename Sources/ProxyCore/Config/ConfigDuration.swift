public import YAML

/// A duration written as `250ms`, `2s`, `5m`, `1h` or a sum such as `1m30s`.
public struct ConfigDuration: Sendable, Hashable, YAMLScalarDecodable, CustomStringConvertible {
    public var duration: Duration

    public init(_ duration: Duration) {
        self.duration = duration
    }

    public static var yamlExpectation: String { "a duration like \"10s\"" }
    public static var yamlPlaceholder: ConfigDuration { .init(.zero) }

    public init?(yamlScalar text: String, style: Scalar.Style) throws(YAMLScalarProblem) {
        var total = Duration.zero
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let seconds: Double
            switch unit {
            case "ms": seconds = value / 1000
            case "s": seconds = value
            case "m": seconds = value * 60
            case "h": seconds = value * 3600
            case "":
                throw YAMLScalarProblem("expected a duration like \"10s\", found \"\(text)\" (add a unit: ms, s, m or h)")
            default: return nil
            }
            total += .milliseconds(Int64((seconds * 1000).rounded()))
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
