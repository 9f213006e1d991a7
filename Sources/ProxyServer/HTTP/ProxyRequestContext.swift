public import Hummingbird
public import ProxyCore

/// What a request carries through the proxy's middleware: who it comes from, once the bearer
/// middleware has decided, and the id its tool call, log lines and audit record share.
public struct ProxyRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``BearerAuthMiddleware``; nil before it ran.
    public var caller: Caller?
    /// The id of the call this request makes.
    public let requestID: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.caller = nil
        self.requestID = RequestID.make()
    }
}
