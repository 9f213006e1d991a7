/// `${NAME}` substitution in scalars.
enum Interpolation {
    struct Problem: Error {
        var message: String
    }

    /// Replaces `${NAME}` with the variable's value, `${NAME:-fallback}` with the fallback when
    /// `NAME` is unset or empty, and `$${` with a literal `${`.
    static func substitute(_ text: String, environment: [String: String]) -> Result<String, Problem> {
        guard Self.mayHoldVariable(text) else { return .success(text) }
        // Works on bytes: every delimiter is ASCII, and Character-wise walking costs far more.
        let bytes = Array(text.utf8)
        let dollar = UInt8(ascii: "$")
        let open = UInt8(ascii: "{")
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 32)
        var i = 0
        while i < bytes.count {
            guard bytes[i] == dollar else {
                out.append(bytes[i])
                i += 1
                continue
            }
            if i + 2 < bytes.count, bytes[i + 1] == dollar, bytes[i + 2] == open {
                out += [dollar, open]
                i += 3
                continue
            }
            guard i + 1 < bytes.count, bytes[i + 1] == open else {
                out.append(dollar)
                i += 1
                continue
            }
            guard let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: "}")) else {
                return .failure(Problem(message: "unterminated \"${\": write ${NAME}, or $${ for a literal \"${\""))
            }
            var nameEnd = close
            var fallback: ArraySlice<UInt8>?
            var j = i + 2
            while j + 1 < close {
                if bytes[j] == UInt8(ascii: ":"), bytes[j + 1] == UInt8(ascii: "-") {
                    nameEnd = j
                    fallback = bytes[(j + 2)..<close]
                    break
                }
                j += 1
            }
            let name = String(decoding: bytes[(i + 2)..<nameEnd], as: UTF8.self)
            guard isValidName(Substring(name)) else {
                return .failure(Problem(message: "\"${\(name)}\" is not a valid variable name: use letters, digits and _, not starting with a digit"))
            }
            if let value = environment[name], !(fallback != nil && value.isEmpty) {
                out += value.utf8
            } else if let fallback {
                out += fallback
            } else {
                return .failure(Problem(message: "environment variable \(name) is not set"))
            }
            i = close + 1
        }
        return .success(String(decoding: out, as: UTF8.self))
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
