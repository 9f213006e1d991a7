import Foundation

/// The one JSON encoder behind every body and token the emulator writes.
enum EmulatorJSON {
    /// Keys sorted, so bodies are stable; `/` unescaped, as Keycloak's Jackson writes it
    /// (`"http://…"` rather than `"http:\/\/…"`).
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
