/// What the emulator does instead of answering, for a request a test told it to fail.
public enum InjectedFailure: Sendable, Hashable {
    /// Answer with this status and body (`application/json` when the body is given).
    case status(Int, body: String? = nil)
    /// Close the connection without answering.
    case dropConnection
}
