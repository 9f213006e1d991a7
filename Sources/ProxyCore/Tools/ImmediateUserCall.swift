import KeycloakAdmin

/// A user call run on the event loop (``ToolRouter/callNow(_:arguments:caller:requestID:within:completion:)``),
/// from its first request to Keycloak to its end: the lookup its user needs, if any, then its
/// action, each answered on that loop. Touched on that loop only.
final class ImmediateUserCall {
    private let router: ToolRouter
    private var call: RunningCall
    private let user: ToolRouter.UserCall
    private let admission: TenantRuntime.Admission
    private let completion: (ToolOutcome?) -> Void
    /// When the request in flight was sent, for the tenant's upstream latency.
    private var sent = ContinuousClock.now

    init(
        router: ToolRouter, call: RunningCall, user: ToolRouter.UserCall, admission: TenantRuntime.Admission,
        completion: @escaping (ToolOutcome?) -> Void
    ) {
        self.router = router
        self.call = call
        self.user = user
        self.admission = admission
        self.completion = completion
    }

    private var client: KeycloakAdminClient { user.served.runtime.client }

    /// Sends the first request; false, having sent nothing, when it cannot go at once.
    func start() -> Bool {
        sent = .now
        switch user.lookup {
        case .known(let subject):
            // Checked by the router already, with the same id and no username.
            return act(on: subject)
        case .byName(let name):
            return client.findUserNow(realm: user.realm, username: name, requestID: call.record.requestID) { [self] answer in
                guard let found = received(answer) else { return }
                switch user.subject(found: found, byName: name) {
                case .success(let subject): proceed(with: subject)
                case .failure(let failure): end(.failure(failure), .reachable)
                }
            }
        case .byID(let id):
            return client.userNow(realm: user.realm, id: id, requestID: call.record.requestID) { [self] answer in
                guard let found = received(answer) else { return }
                proceed(with: ToolRouter.UserCall.Subject(userID: id, username: found.username))
            }
        }
    }

    /// After the lookup: the protection check, then the action.
    private func proceed(with subject: ToolRouter.UserCall.Subject) {
        if let denial = user.check(subject, record: &call.record) { return end(.failure(denial), .reachable) }
        sent = .now
        // The lookup reached Keycloak; the task does it again, and then acts.
        if !act(on: subject) { goAgain(.reachable) }
    }

    private func act(on subject: ToolRouter.UserCall.Subject) -> Bool {
        if user.logsOut {
            return client.logoutNow(realm: user.realm, userID: subject.userID, requestID: call.record.requestID) { [self] answer in
                guard received(answer) != nil else { return }
                end(user.loggedOut(subject), .reachable)
            }
        }
        return client.userSessionsNow(realm: user.realm, userID: subject.userID, requestID: call.record.requestID) { [self] answer in
            guard let sessions = received(answer) else { return }
            end(user.outcome(sessions, of: subject), .reachable)
        }
    }

    /// The result of a request, timed; nil when the call ended with it (a failure) or goes
    /// again in a task (which times its own attempt).
    private func received<T>(_ answer: Result<T, KeycloakError>?) -> T? {
        if answer != nil { admission.meters.upstreamRequest(ContinuousClock.now - sent) }
        switch answer {
        case .success(let value)?:
            return value
        case .failure(let error)?:
            end(.failure(ToolRouter.failure(error, tenant: user.served.config.name, realm: user.realm)), TenantRuntime.evidence(error))
            return nil
        case nil:
            goAgain(.inconclusive)
            return nil
        }
    }

    private func end(_ outcome: ToolOutcome, _ evidence: CircuitBreaker.Evidence) {
        let runtime = user.served.runtime
        runtime.finish(admission, evidence)
        runtime.leave()
        router.finish(&call, outcome)
        completion(outcome)
    }

    /// Hands the call back, nothing recorded, for a task to run it from the start.
    private func goAgain(_ evidence: CircuitBreaker.Evidence) {
        let runtime = user.served.runtime
        runtime.finish(admission, evidence)
        runtime.leave()
        completion(nil)
    }
}
