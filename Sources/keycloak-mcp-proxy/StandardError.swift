import Foundation
import Logging

/// Standard error: diagnostics and logs. Standard output is kept for results (and, with
/// `serve --stdio`, for the MCP protocol alone).
enum StandardError {
    static func print(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Sends every log line to standard error at `level` and above.
    static func bootstrapLogging(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
