/// `${NAME}` substitution in scalars.
enum Interpolation {
    struct Problem: Error {
        var message: String
    }

    /// Replaces `${NAME}` with the variable's value, `${NAME:-fallback}` with the fallback when
    /// `NAME` is unset or empty, and `$${` with a literal `${`.
    static func substitute(_ text: String, environment: [String: String]) -> Result<String, Problem> {
        guard Self.mayHoldVariable(text) else { return .success(text) }
        var out = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.hasPrefix("${") {
                out += "${"
                rest = after.dropFirst(2)
                continue
            }
            guard after.hasPrefix("{") else {
                out += "$"
                rest = after
                continue
            }
            guard let close = after.firstIndex(of: "}") else {
                return .failure(Problem(message: "unterminated \"${\": write ${NAME}, or $${ for a literal \"${\""))
            }
            let body = after[after.index(after: after.startIndex)..<close]
            let name: Substring
            let fallback: Substring?
            if let separator = body.firstRange(of: ":-") {
                name = body[..<separator.lowerBound]
                fallback = body[separator.upperBound...]
            } else {
                name = body
                fallback = nil
            }
            guard isValidName(name) else {
                return .failure(Problem(message: "\"${\(name)}\" is not a valid variable name: use letters, digits and _, not starting with a digit"))
            }
            if let value = environment[String(name)], !(fallback != nil && value.isEmpty) {
                out += value
            } else if let fallback {
                out += fallback
            } else {
                return .failure(Problem(message: "environment variable \(name) is not set"))
            }
            rest = after[after.index(after: close)...]
        }
        out += rest
        return .success(out)
    }

    /// Whether `${` occurs, by a plain byte scan (the generic substring search costs more than
    /// decoding the value).
    static func mayHoldVariable(_ text: String) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "{"), previous == UInt8(ascii: "$") { return true }
            previous = byte
        }
        return false
    }

    private static func isValidName(_ name: Substring) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
