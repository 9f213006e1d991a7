/// A secret value (client secret, password, bearer token) that never prints itself.
///
/// `description`, `debugDescription`, string interpolation and reflection (`dump`, `Mirror`)
/// all show `<redacted>`; only ``revealed`` gives the value, and only code that sends it to
/// Keycloak should call it.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let value: String

    public init(_ value: String) {
        self.value = value
    }

    /// The secret itself. Use it only to put it on the wire.
    public var revealed: String { value }

    public var isEmpty: Bool { value.isEmpty }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
