import Foundation
import Logging
import ProxyCore
import ProxyServer

/// Standard error: diagnostics and logs. Standard output is kept for results (and, with
/// `serve --stdio`, for the MCP protocol alone).
enum StandardError {
    static func print(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Sends every log line to standard error at `level` and above, each line of a tool call
    /// with its `request_id`.
    static func bootstrapLogging(level: Logger.Level, format: LogFormat = .text) {
        LoggingSystem.bootstrap(
            { label, provider in
                switch format {
                case .text:
                    var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                case .json:
                    var handler = JSONLogHandler(label: label, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                }
            },
            metadataProvider: RequestID.metadataProvider
        )
    }
}
