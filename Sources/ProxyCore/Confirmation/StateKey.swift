/// The key confirmation states are signed with (`server.state_key_file`): at least 32 bytes,
/// never printed.
public struct StateKey: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var description: String { "<redacted>" }
}
