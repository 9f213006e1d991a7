import Foundation

/// Where a call that may need a person's yes stands (DESIGN.md section 8).
enum ConfirmationStep: Sendable {
    /// No yes needed (the tool is not in the tenant's or the agent's `confirm`, or a dry run).
    case notNeeded
    /// Ask first: resolve the user, count their sessions, return the question. The digest of
    /// the call's arguments goes into the state.
    case ask(digest: String)
    /// The person said yes to logging out this user.
    case confirmed(userID: String)

    /// What the transport said about confirming, with the call's arguments as sent.
    struct Request {
        var context: ConfirmationContext
        var arguments: [String: JSONValue]
    }
}

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
            switch confirmations.redeem(state, agent: caller.name, tool: tool.rawValue, arguments: digest) {
            case .failure(let invalid):
                record.confirmation = "invalid"
                return .failure(ToolFailure(.confirmationInvalid, "\(invalid); nothing was done", tenant: tenant, realm: realm))
            case .success(let claims):
                record.confirmationID = claims.id
                guard confirmed else {
                    record.confirmation = "declined"
                    return .failure(ToolFailure(.confirmationDeclined, "the person did not confirm; nothing was done", tenant: tenant, realm: realm))
                }
                record.confirmation = "confirmed"
                return .success(.confirmed(userID: claims.userID))
            }
        }
    }

    /// The question for `user`'s call on `subject`, who has `sessions` online sessions.
    func ask(_ user: UserCall, subject: UserCall.Subject, sessions: Int, digest: String, caller: Caller, record: inout AuditRecord) -> ConfirmationRequest {
        let id = RequestID.make() + RequestID.make()
        let expires = Int64(Date().timeIntervalSince1970) + Int64(ConfirmationKeeper.lifetime.components.seconds)
        let state = confirmations.issue(
            .init(id: id, agent: caller.name, tool: user.tool.rawValue, arguments: digest, userID: subject.userID, expires: expires))
        record.confirmation = "required"
        record.confirmationID = id
        let who = subject.username.map { "\($0) (id \(subject.userID))" } ?? "the user with id \(subject.userID)"
        let count = sessions == 1 ? "1 session" : "\(sessions) sessions"
        return ConfirmationRequest(
            message: "Log out \(who) from \(count) on tenant \(user.served.config.name), realm \(user.realm)?", state: state, id: id)
    }
}
