/// Why serving could not start: an unknown `--agent`, an audit log that cannot be opened, a
/// tenant whose client cannot be built. Its text names no secret.
public struct ServeError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
