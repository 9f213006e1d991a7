import KeycloakAdmin

extension ToolRouter {
    /// How ``callNow(_:arguments:caller:requestID:within:completion:)`` went.
    public enum ImmediateCall: Sendable {
        /// Answered without Keycloak (or refused), audited and counted already.
        case answered(Result<ToolOutcome, ToolCallRejection>)
        /// Sent to Keycloak: the completion gets the outcome.
        case started
        /// It would have to wait (for a token, a connection, a slot or a lookup): nothing was
        /// sent or recorded. Run it with ``call(_:arguments:caller:requestID:)``.
        case needsTask
    }

    /// Runs one call without a task, when it can: for a caller on a SwiftNIO event loop that
    /// answers from there (the proxy's listener), which saves the task switches of
    /// ``call(_:arguments:caller:requestID:)``.
    ///
    /// Everything that needs no Keycloak is answered at once. A user call (`logout_user`,
    /// `get_user_sessions`) whose requests (one, or two with a lookup) cannot outlast `within`
    /// is refused at once while its tenant's circuit is open, and sent at once when a slot is
    /// free, the token is fresh and an idle connection of this event loop is free;
    /// `completion` then runs once, on this event loop, with its outcome, audited and counted
    /// as any call. Everything else is ``ImmediateCall/needsTask``: a call that may outlast
    /// `within` is left to a task, which can be cancelled.
    ///
    /// `completion` gets nil, with nothing recorded, when the call must go again through
    /// ``call(_:arguments:caller:requestID:)``: Keycloak refused the token, a stale connection
    /// lost a request, or the lookup's answer came and no connection is idle for the next
    /// request. Every request the proxy sends may go twice: logout ends the same sessions.
    public func callNow(
        _ name: String, arguments: [String: JSONValue], caller: Caller, requestID: String, within: Duration,
        completion: @escaping (ToolOutcome?) -> Void
    ) -> ImmediateCall {
        var call = RunningCall(name: name, caller: caller, requestID: requestID)
        let step: Step
        do throws(ToolCallRejection) {
            step = try begin(&call, arguments, caller: caller)
        } catch {
            return .answered(.failure(error))
        }
        let user: UserCall
        switch step {
        case .answered(let outcome):
            finish(&call, outcome)
            return .answered(.success(outcome))
        case .keycloak(let prepared):
            user = prepared
        }
        let runtime = user.served.runtime
        guard runtime.client.settings.timeouts.request * user.requests < within else {
            runtime.leave()
            return .needsTask
        }
        let admission: TenantRuntime.Admission
        switch runtime.admitNow() {
        case .admitted(let admitted):
            admission = admitted
        case .refused(let error):
            runtime.leave()
            let outcome = ToolOutcome.failure(Self.failure(error, tenant: user.served.config.name, realm: user.realm))
            finish(&call, outcome)
            return .answered(.success(outcome))
        case .mustWait:
            runtime.leave()
            return .needsTask
        }
        let running = ImmediateUserCall(router: self, call: call, user: user, admission: admission, completion: completion)
        guard running.start() else {
            runtime.finish(admission, .inconclusive)
            runtime.leave()
            return .needsTask
        }
        return .started
    }
}
