import ProxyCore

extension ToolServer {
    /// ``reply(to:caller:requestID:)`` without a task, for a caller on a SwiftNIO event loop: every
    /// message is answered at once but a `tools/call` that
    /// ``ToolRouter/callNow(_:arguments:caller:requestID:within:completion:)`` cannot run at once
    /// (or not surely `within` the time given).
    /// The reply is nil for a notification or a response. `completion` runs on this event loop
    /// with the reply to a call that was ``Immediate/started``, or with nil when the call must
    /// go through ``reply(to:caller:requestID:)`` after all (nothing recorded): give it the same
    /// `requestID`, so that the log lines of both attempts and the audit record share it.
    func replyNow(
        to message: JSONRPCMessage, caller: Caller, requestID: String, within: Duration, completion: @escaping ([UInt8]?) -> Void
    ) -> Immediate<[UInt8]?> {
        switch message {
        case .notification, .response:
            return .answered(nil)
        case .invalid(let error):
            return .answered(error.encoded)
        case .request(let id, "tools/call", let params):
            let name: String
            let arguments: [String: JSONValue]
            switch Self.callParameters(params) {
            case .success(let parameters): (name, arguments) = parameters
            case .failure(var error):
                error.id = id
                return .answered(error.encoded)
            }
            let call = router.callNow(name, arguments: arguments, caller: caller, requestID: requestID, within: within) { outcome in
                completion(outcome.map { outcome in Self.encode(id: id) { outcome.writeCallToolResult(to: &$0) } })
            }
            switch call {
            case .answered(.success(let outcome)):
                return .answered(Self.encode(id: id) { outcome.writeCallToolResult(to: &$0) })
            case .answered(.failure(let rejection)):
                var error = rejected(rejection, requestID: requestID, caller: caller)
                error.id = id
                return .answered(error.encoded)
            case .started:
                return .started
            case .needsTask:
                return .needsTask
            }
        case .request(let id, let method, let params):
            switch respondWithoutTools(to: method, params: params, caller: caller)! {
            case .success(let result):
                return .answered(Self.encode(id: id, result: result))
            case .failure(var error):
                error.id = id
                return .answered(error.encoded)
            }
        }
    }
}
