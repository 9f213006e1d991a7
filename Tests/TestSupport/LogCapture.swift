public import Logging
import Synchronization

/// Log lines kept in memory with their metadata, to check what an operator would read.
public final class LogCapture: Sendable {
    public struct Line: Sendable {
        public var level: Logger.Level
        public var message: String
        /// The logger's metadata and the line's, merged.
        public var metadata: Logger.Metadata
    }

    private let lines = Mutex<[Line]>([])

    public init() {}

    public var all: [Line] { lines.withLock { $0 } }

    /// A logger at trace level that keeps every line here.
    public var logger: Logger {
        Logger(label: "capture") { _ in Handler(capture: self) }
    }

    /// ``logger`` whose lines also carry what `metadataProvider` gives when each is written, as
    /// the server's bootstrapped logging does (the request id of the call that logs).
    public func logger(metadataProvider: Logger.MetadataProvider) -> Logger {
        Logger(label: "capture") { _ in Handler(capture: self, metadataProvider: metadataProvider) }
    }

    fileprivate func append(_ line: Line) {
        lines.withLock { $0.append(line) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadataProvider: Logger.MetadataProvider? = nil
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let provided = metadataProvider?.get() ?? [:]
            let metadata = self.metadata.merging(provided) { $1 }.merging(event.metadata ?? [:]) { $1 }
            capture.append(Line(level: event.level, message: "\(event.message)", metadata: metadata))
        }
    }
}
