import ArgumentParser
import Logging

extension Logger.Level {
    /// `--log-level` text: trace, debug, info, notice, warning, error or critical.
    static func parsing(_ text: String) throws -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ValidationError("--log-level \(text): expected one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return level
    }
}
