/// A caller's string checked and encoded to be exactly one URL path segment.
///
/// Refused, with `invalid_argument` and before any request: empty, `.`, `..`, anything with `/`
/// or `\`, control characters, and more than ``maximumUTF8Length`` bytes of UTF-8.
public struct PathSegment: Sendable, Hashable, CustomStringConvertible {
    /// Keycloak's own limit for names and ids is 255 characters; a longer value is never valid.
    public static let maximumUTF8Length = 255

    /// The caller's value.
    public let value: String
    /// The value percent-encoded for a path.
    public let encoded: String

    /// - Parameters:
    ///   - value: the caller's string.
    ///   - argument: what it is (`realm`, `user_id`), for the error message.
    public init(_ value: String, argument: String) throws(KeycloakError) {
        if let problem = Self.problem(value) {
            throw KeycloakError(.invalidArgument, "\(argument) \(problem)")
        }
        self.value = value
        self.encoded = PercentEncoding.encode(value)
    }

    public var description: String { encoded }

    /// Why `value` cannot be one path segment, or `nil` if it can.
    static func problem(_ value: String) -> String? {
        if value.isEmpty { return "must not be empty" }
        if value == "." || value == ".." { return "must not be \"\(value)\"" }
        if value.utf8.count > maximumUTF8Length {
            return "is \(value.utf8.count) bytes long; at most \(maximumUTF8Length) are allowed"
        }
        // One pass over the bytes: a search by Character walked grapheme clusters, twice, and
        // was most of a logout's argument checks.
        var slash = false
        var control = false
        var previous: UInt8 = 0
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "/"), UInt8(ascii: "\\"): slash = true
            // C0 and DEL; C1 (U+0080–U+009F) is 0xC2 followed by 0x80–0x9F.
            case 0..<0x20, 0x7F: control = true
            case 0x80...0x9F where previous == 0xC2: control = true
            default: break
            }
            previous = byte
        }
        if slash { return "must not contain \"/\" or \"\\\"" }
        if control { return "must not contain control characters" }
        return nil
    }

    /// Unicode general category Cc: U+0000–U+001F and U+007F–U+009F.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
