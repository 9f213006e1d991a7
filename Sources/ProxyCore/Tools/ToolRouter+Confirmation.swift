import Foundation

extension ToolRouter {
    /// The step a call that needs a yes takes, or the failure that ends it with nothing sent.
    func confirmationStep(
        _ request: ConfirmationStep.Request, tool: ToolName, caller: Caller, tenant: String, realm: String, record: inout AuditRecord
    ) -> Result<ConfirmationStep, ToolFailure> {
        let digest = ConfirmationKeeper.digest(request.arguments)
        switch request.context {
        case .cannotAsk(let reason):
            record.confirmation = "required"
            return .failure(
                ToolFailure(
                    .confirmationRequired,
                    "\(tool.rawValue) on tenant \(tenant) needs a person's confirmation, and \(reason); a dry run (dry_run: true) still answers",
                    tenant: tenant, realm: realm))
        case .canAsk:
            return .success(.ask(digest: digest))
        case .answer(let state, let confirmed):
            switch confirmations.verify(state, agent: caller.name, tool: tool.rawValue, arguments: digest, tenant: tenant, realm: realm) {
            case .failure(let invalid):
                record.confirmation = "invalid"
                return .failure(ToolFailure(.confirmationInvalid, "\(invalid); nothing was done", tenant: tenant, realm: realm))
            case .success(let claims):
                record.confirmationID = claims.id
                guard confirmed else {
                    // A no uses the state up too.
                    _ = confirmations.consume(claims)
                    record.confirmation = "declined"
                    return .failure(ToolFailure(.confirmationDeclined, "the person did not confirm; nothing was done", tenant: tenant, realm: realm))
                }
                record.confirmation = "confirmed"
                return .success(.confirmed(claims))
            }
        }
    }

    /// The question for `user`'s call on `subject`, who has `sessions` online sessions.
    func ask(_ user: UserCall, subject: UserCall.Subject, sessions: Int, digest: String, caller: Caller, record: inout AuditRecord) -> ConfirmationRequest {
        let id = RandomHex.make(byteCount: 16)
        let expires = Int64(Date().timeIntervalSince1970) + Int64(ConfirmationKeeper.lifetime.components.seconds)
        let state = confirmations.issue(
            .init(
                id: id, agent: caller.name, tool: user.tool.rawValue, arguments: digest, tenant: user.served.config.name, realm: user.realm,
                userID: subject.userID, expires: expires))
        record.confirmation = "required"
        record.confirmationID = id
        let who = subject.username.map { "\($0) (id \(subject.userID))" } ?? "the user with id \(subject.userID)"
        let count = sessions == 1 ? "1 session" : "\(sessions) sessions"
        return ConfirmationRequest(
            message: "Log out \(who) from \(count) on tenant \(user.served.config.name), realm \(user.realm)?", state: state, id: id)
    }
}
