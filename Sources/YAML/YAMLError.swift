/// One problem in a YAML document: where, under which key path, and what.
public struct YAMLError: Error, Sendable, Hashable, CustomStringConvertible {
    public var mark: Mark
    /// The key path to the value, e.g. `["tenants", "eu", "timeouts", "request"]`; indexes of
    /// sequences are rendered as `[2]`.
    public var path: [String]
    public var message: String

    public init(mark: Mark, path: [String] = [], message: String) {
        self.mark = mark
        self.path = path
        self.message = message
    }

    /// `tenants.eu.timeouts.request`, `agents.bot.tools[1]`, or "" for the document itself.
    public var renderedPath: String {
        var out = ""
        for component in path {
            if component.hasPrefix("[") {
                out += component
            } else {
                out += out.isEmpty ? component : "." + component
            }
        }
        return out
    }

    /// `LINE:COL: key.path: message`.
    public var description: String {
        let path = renderedPath
        return path.isEmpty ? "\(mark): \(message)" : "\(mark): \(path): \(message)"
    }
}

/// Every problem found in a document, in document order.
public struct YAMLErrors: Error, Sendable, Hashable, CustomStringConvertible {
    public var errors: [YAMLError]

    public init(_ errors: [YAMLError]) {
        self.errors = errors
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
