import Foundation

/// Random identifiers and token strings.
enum Identifiers {
    /// A lower-case UUID, as Keycloak uses for entity ids.
    static func uuid() -> String {
        UUID().uuidString.lowercased()
    }

    /// `count` random bytes, base64url without padding.
    static func randomBase64URL(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return base64URL(Data(bytes))
    }

    static func base64URL(_ data: Data) -> String {
        var text = data.base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-")
        text = text.replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }
}
