public import YAML

/// One problem in a config file: `FILE:LINE:COL: key.path: message`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var mark: Mark
    /// `tenants.eu.timeouts.request`; empty for the file as a whole.
    public var path: String
    public var message: String

    public init(file: String, mark: Mark, path: String, message: String) {
        self.file = file
        self.mark = mark
        self.path = path
        self.message = message
    }

    init(file: String, _ error: YAMLError) {
        self.init(file: file, mark: error.mark, path: error.renderedPath, message: error.message)
    }

    public var description: String {
        path.isEmpty ? "\(file):\(mark): \(message)" : "\(file):\(mark): \(path): \(message)"
    }
}

/// Every problem found in a config file, in file order. Nothing of it is served.
public struct ConfigErrors: Error, Sendable, Hashable, CustomStringConvertible {
    public var errors: [ConfigError]

    public init(_ errors: [ConfigError]) {
        self.errors = errors
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
