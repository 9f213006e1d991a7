import Foundation

/// `application/x-www-form-urlencoded` text (a token request's body or a query string), read as
/// JAX-RS reads it: `+` is a space, escapes are decoded once, the first value of a repeated name wins.
enum FormFields {
    /// The fields of `encoded`; a name without `=`, or with a value that is not UTF-8, has the value `""`.
    static func decode(_ encoded: some StringProtocol) -> [String: String] {
        // Foundation reads query items; it knows `%XX` but not the form's `+` for a space.
        guard let items = URLComponents(string: "?" + spacesEscaped(encoded))?.queryItems else { return [:] }
        var fields: [String: String] = [:]
        for item in items where fields[item.name] == nil {
            fields[item.name] = item.value ?? ""
        }
        return fields
    }

    /// One form-encoded value; `nil` for a malformed escape or bytes that are not UTF-8.
    static func value(_ encoded: some StringProtocol) -> String? {
        spacesEscaped(encoded).removingPercentEncoding
    }

    private static func spacesEscaped(_ encoded: some StringProtocol) -> String {
        encoded.replacingOccurrences(of: "+", with: "%20")
    }
}
