public import Logging
import KeycloakAdmin
import Tracing

/// Runs tool calls: checks arguments, resolves tenant and realm, asks ``Policy``, calls the
/// tenant's Keycloak within the tenant's isolation (its breaker and its limit of calls in
/// flight), and writes one audit record and one metric per call, allowed, denied or failed.
///
/// Each call reads ``TenantRegistry/current`` once, so a reload applies from the next call on,
/// and holds its tenant's runtime until it ends, so a reload that retires the runtime waits
/// for it.
public final class ToolRouter: Sendable {
    public let registry: TenantRegistry
    private let audit: AuditLog?
    private let logger: Logger
    /// Issues and redeems the states of calls that need a person's yes.
    let confirmations: ConfirmationKeeper
    /// Makes a span of each call; nil: no spans.
    let tracing: CallTracing?

    /// `confirmations` signs the states of calls that need a person's yes (default: a key of
    /// this process); with `tracing`, each call is a span (DESIGN.md section 9).
    public init(
        registry: TenantRegistry, audit: AuditLog?, logger: Logger, confirmations: ConfirmationKeeper = ConfirmationKeeper(key: nil),
        tracing: CallTracing? = nil
    ) {
        self.registry = registry
        self.audit = audit
        self.logger = logger
        self.confirmations = confirmations
        self.tracing = tracing
    }

    /// The tools `caller` may see, with the tenants it may use in their schemas.
    public func tools(for caller: Caller) -> [ToolDescriptor] {
        ToolCatalog.tools(for: caller, config: registry.current.config)
    }

    /// Runs one call. A call that needs a person's yes (the tenant's or the agent's `confirm`)
    /// goes as `confirmation` allows: refused when the client cannot ask, the question when it
    /// can, the call itself once the answer is yes.
    ///
    /// With tracing on, the call is a span whose parent is `trace` (the client's context, if it
    /// sent one).
    ///
    /// - Throws: ``ToolCallRejection`` for protocol misuse: an unknown tool (or one the caller
    ///   may not see) or arguments of the wrong name or type. Every other problem is a
    ///   ``ToolOutcome/failure(_:)`` the agent can act on.
    public func call(
        _ name: String, arguments: [String: JSONValue], caller: Caller, requestID: String = RequestID.make(),
        confirmation: ConfirmationContext = .unknown, trace: IncomingTrace = .none
    ) async throws(ToolCallRejection) -> ToolOutcome {
        var call = RunningCall(name: name, caller: caller, requestID: requestID)
        guard let tracing else {
            return try await Self.identified(call.record) { () async throws(ToolCallRejection) in
                try await run(call, arguments: arguments, caller: caller, confirmation: confirmation)
            }
        }
        let span = Self.startSpan(&call, tracing: tracing, parent: trace)
        defer { span.end() }
        return try await Self.identified(call.record, within: span.context) { [call] () async throws(ToolCallRejection) in
            try await run(call, arguments: arguments, caller: caller, confirmation: confirmation)
        }
    }

    private func run(
        _ call: RunningCall, arguments: [String: JSONValue], caller: Caller, confirmation: ConfirmationContext
    ) async throws(ToolCallRejection) -> ToolOutcome {
        var call = call
        let step = try begin(&call, arguments, caller: caller, confirmation: confirmation)
        let outcome: ToolOutcome
        switch step {
        case .answered(let answer):
            outcome = answer
        case .keycloak(let user):
            defer { user.served.runtime.leave() }
            outcome = await keycloak(user, caller: caller, record: &call.record)
        }
        finish(&call, outcome)
        return outcome
    }

    /// What is left of a call once its arguments, tenant, realm and policy are checked.
    enum Step {
        /// Answered without Keycloak.
        case answered(ToolOutcome)
        /// Allowed, and needs the tenant's Keycloak. Its runtime is held (``TenantRuntime/enter()``):
        /// whoever runs it calls `leave()` once it ends.
        case keycloak(UserCall)
    }

    /// ``prepare(_:_:caller:record:)`` for `call`, which ends (audited and counted) when it is
    /// rejected.
    func begin(
        _ call: inout RunningCall, _ arguments: [String: JSONValue], caller: Caller, confirmation: ConfirmationContext
    ) throws(ToolCallRejection) -> Step {
        do throws(ToolCallRejection) {
            return try prepare(call.record.tool, arguments, caller: caller, confirmation: confirmation, record: &call.record)
        } catch {
            finish(&call, nil)
            throw error
        }
    }

    /// Checks the call up to the point where Keycloak is needed, filling in `record` as it goes.
    /// Only through ``begin(_:_:caller:)``, which ends a rejected call.
    private func prepare(
        _ name: String, _ arguments: [String: JSONValue], caller: Caller, confirmation: ConfirmationContext, record: inout AuditRecord
    ) throws(ToolCallRejection) -> Step {
        guard let tool = ToolName(rawValue: name) else {
            record.outcome = .error
            record.errorCode = "unknown_tool"
            throw ToolCallRejection(.unknownTool, "unknown tool \"\(name)\"")
        }
        if let denial = Policy.check(caller, tool: tool) {
            // A tool the caller may not use is one it cannot see.
            record.decision = .deny
            record.reason = denial.reason.rawValue
            record.outcome = .denied
            throw ToolCallRejection(.unknownTool, "unknown tool \"\(name)\"")
        }
        let parsed: ToolArguments
        do throws(ToolCallRejection) {
            parsed = try ToolArguments(arguments, tool: tool)
        } catch {
            record.outcome = .error
            record.errorCode = "invalid_params"
            throw error
        }
        record.dryRun = parsed.dryRun
        let snapshot = registry.current
        switch tool {
        case .listTenants:
            return .answered(.success(listTenants(caller, snapshot.config)))
        case .logoutUser, .getUserSessions:
            let request = ConfirmationStep.Request(context: confirmation, arguments: arguments)
            return userCall(tool, parsed, caller: caller, snapshot: snapshot, confirmation: request, record: &record)
        }
    }

    /// Ends a call: a failure's details go into its record, which is written to the audit log
    /// and counted. `outcome` is nil for a rejected call, whose record says why already.
    func finish(_ call: inout RunningCall, _ outcome: ToolOutcome?) {
        if case .inputRequired? = outcome { call.record.outcome = .pending }
        if case .failure(let failure)? = outcome {
            call.record.outcome = failure.policyReason == nil ? .error : .denied
            call.record.decision = failure.policyReason == nil ? call.record.decision : .deny
            call.record.reason = failure.policyReason?.rawValue ?? call.record.reason
            call.record.errorCode = failure.code.rawValue
            call.record.upstreamStatus = failure.upstreamStatus
            logger.debug(
                "tool call failed",
                metadata: ["tool": "\(call.record.tool)", "code": "\(failure.code.rawValue)", "request_id": "\(call.record.requestID)"])
        }
        call.record.durationMilliseconds = Double((ContinuousClock.now - call.started) / .microseconds(1)) / 1000
        audit?.write(call.record)
        recordMetrics(call.record)
        if let span = call.span { Self.describe(span, call.record) }
    }

    // MARK: - list_tenants

    private func listTenants(_ caller: Caller, _ config: ProxyConfig) -> JSONValue {
        var tenants: [JSONValue] = []
        for tenant in config.tenants {
            guard let realms = Policy.visibleRealms(caller, tenant: tenant) else { continue }
            var entry: [String: JSONValue] = [
                "name": .string(tenant.name),
                "default": .bool(tenant.name == config.defaultTenant),
                "realms": .array(realms.map { .string($0.text) }),
            ]
            entry["default_realm"] = tenant.realms.defaultRealm.map(JSONValue.string)
            if !tenant.realms.denied.isEmpty {
                entry["denied_realms"] = .array(tenant.realms.denied.map { .string($0.text) })
            }
            tenants.append(.object(entry))
        }
        var result: [String: JSONValue] = ["tenants": .array(tenants)]
        if let name = config.defaultTenant, let tenant = config.tenant(named: name), Policy.check(caller, tenant: tenant) == nil {
            result["default_tenant"] = .string(name)
        }
        return .object(result)
    }

    // MARK: - logout_user and get_user_sessions

    private func userCall(
        _ tool: ToolName, _ arguments: ToolArguments, caller: Caller, snapshot: TenantRegistry.Snapshot,
        confirmation: ConfirmationStep.Request, record: inout AuditRecord, attempt: Int = 1
    ) -> Step {
        // Which tenant.
        // Only error messages name the tenants the caller may use: found when needed, not per
        // call (a config may have a thousand), and at most 20 of them named.
        func available() -> String {
            let names = snapshot.config.tenants.lazy.filter { Policy.check(caller, tenant: $0) == nil }.map(\.name)
            let shown = names.prefix(20).joined(separator: ", ")
            let more = names.dropFirst(20).count
            return more > 0 ? "\(shown) and \(more) more (list_tenants shows them all)" : shown
        }
        guard let tenantName = arguments.tenant ?? snapshot.config.defaultTenant else {
            return .answered(.failure(ToolFailure(.invalidArgument, "name a tenant: there is no default; available: \(available())")))
        }
        record.tenant = tenantName
        guard let served = snapshot.served[tenantName] else {
            return .answered(.failure(ToolFailure(.unknownTenant, "no tenant \"\(tenantName)\" is available to this caller; available: \(available())")))
        }
        let runtime = served.runtime
        // Hold the runtime for the whole call. A reload that retired it after this call read
        // the snapshot may have closed it already: then serve from the newest snapshot (a
        // few times at most, should reloads follow each other that fast).
        guard runtime.enter() else {
            let newest = registry.current
            guard attempt < 3, newest.runtime(tenantName) !== runtime else {
                return .answered(.failure(ToolFailure(.upstreamUnavailable, "tenant \(tenantName) is shutting down; try again shortly", tenant: tenantName)))
            }
            return userCall(tool, arguments, caller: caller, snapshot: newest, confirmation: confirmation, record: &record, attempt: attempt + 1)
        }
        // Held from here on: every answer below lets it go first.
        func answered(_ failure: ToolFailure) -> Step {
            runtime.leave()
            return .answered(.failure(failure))
        }
        // Which realm.
        guard let realm = arguments.realm ?? served.config.realms.defaultRealm else {
            return answered(ToolFailure(.invalidArgument, "name a realm: tenant \(tenantName) has no default realm", tenant: tenantName))
        }
        record.realm = realm
        // Which user.
        record.userID = arguments.userID
        record.username = arguments.username
        switch (arguments.userID, arguments.username) {
        case (.some, .some):
            return answered(ToolFailure(.invalidArgument, "give user_id or username, not both", tenant: tenantName, realm: realm))
        case (nil, nil):
            return answered(ToolFailure(.invalidArgument, "give user_id or username", tenant: tenantName, realm: realm))
        case (.some(let id), nil) where id.isEmpty, (nil, .some(let id)) where id.isEmpty:
            return answered(ToolFailure(.invalidArgument, "user_id and username cannot be empty", tenant: tenantName, realm: realm))
        default:
            break
        }
        // Policy, before anything is sent.
        if let denial = Policy.check(caller, tool: tool, tenant: served.config, realm: realm) {
            return answered(ToolFailure(denial.code, denial.message, tenant: denial.code == .unknownTenant ? nil : tenantName, realm: denial.code == .unknownTenant ? nil : realm, policyReason: denial.reason))
        }
        if let denial = Policy.protection(of: served.config, userID: arguments.userID, username: arguments.username) {
            return answered(ToolFailure(denial.code, denial.message, tenant: tenantName, realm: realm, policyReason: denial.reason))
        }
        // A person's yes, when the tenant or the agent asks for one; nothing is sent before.
        var step = ConfirmationStep.notNeeded
        if tool == .logoutUser, !arguments.dryRun, served.config.confirm.contains(tool) || caller.agent?.confirm.contains(tool) == true {
            switch confirmationStep(confirmation, tool: tool, caller: caller, tenant: tenantName, realm: realm, record: &record) {
            case .success(let found): step = found
            case .failure(let failure): return answered(failure)
            }
        }
        return .keycloak(UserCall(tool: tool, arguments: arguments, served: served, realm: realm, confirmation: step))
    }

    /// Runs `user` against its tenant's Keycloak within the tenant's isolation.
    private func keycloak(_ user: UserCall, caller: Caller, record: inout AuditRecord) async -> ToolOutcome {
        do throws(KeycloakError) {
            return try await user.served.runtime.isolated { (meters) async throws(KeycloakError) -> ToolOutcome in
                try await keycloakPart(user, caller: caller, meters: meters, record: &record)
            }
        } catch {
            return .failure(Self.failure(error, tenant: user.served.config.name, realm: user.realm))
        }
    }

    /// What a user call asks of Keycloak, once policy allowed it: the lookup its user needs,
    /// if any, then the action.
    private func keycloakPart(_ user: UserCall, caller: Caller, meters: TenantMeters, record: inout AuditRecord) async throws(KeycloakError) -> ToolOutcome {
        let client = user.served.runtime.client
        let realm = user.realm
        let subject: UserCall.Subject
        switch user.lookup {
        case .known(let known):
            subject = known
        case .byName(let name):
            let found = try await meters.timed { () async throws(KeycloakError) in try await client.findUser(realm: realm, username: name) }
            switch user.subject(found: found, byName: name) {
            case .success(let known): subject = known
            case .failure(let failure): return .failure(failure)
            }
        case .byID(let id):
            let found = try await meters.timed { () async throws(KeycloakError) in try await client.user(realm: realm, id: id) }
            subject = UserCall.Subject(userID: id, username: found.username)
        }
        if let denial = user.check(subject, record: &record) { return .failure(denial) }
        switch user.confirmation {
        case .notNeeded:
            break
        case .ask(let digest):
            // The question names how many sessions the yes will end.
            let sessions = try await meters.timed { () async throws(KeycloakError) in try await client.userSessions(realm: realm, userID: subject.userID) }
            return .inputRequired(ask(user, subject: subject, sessions: sessions.count, digest: digest, caller: caller, record: &record))
        case .confirmed(let claims):
            guard subject.userID == claims.userID else {
                record.confirmation = "invalid"
                return .failure(
                    ToolFailure(.confirmationInvalid, "the user the person confirmed is not the one these arguments name now", tenant: user.served.config.name, realm: realm))
            }
            // Used up only now, just before the logout: a yes that found the tenant overloaded
            // can be sent again.
            guard confirmations.consume(claims) else {
                record.confirmation = "invalid"
                return .failure(
                    ToolFailure(.confirmationInvalid, "the confirmation was used already; call the tool again to ask anew; nothing was done", tenant: user.served.config.name, realm: realm))
            }
        }
        if user.logsOut {
            try await meters.timed { () async throws(KeycloakError) in try await client.logout(realm: realm, userID: subject.userID) }
            return user.loggedOut(subject)
        }
        let sessions = try await meters.timed { () async throws(KeycloakError) in try await client.userSessions(realm: realm, userID: subject.userID) }
        return user.outcome(sessions, of: subject)
    }

    static func failure(_ error: KeycloakError, tenant: String, realm: String) -> ToolFailure {
        var message = "tenant \(tenant): \(error.message)"
        if let said = error.upstreamError, !said.isEmpty, !error.message.contains(said) {
            message += " (Keycloak: \(said))"
        }
        return ToolFailure(
            ToolErrorCode(rawValue: error.code.rawValue) ?? .upstreamError,
            message,
            retryable: error.retryable,
            tenant: tenant,
            realm: error.realm ?? realm,
            upstreamStatus: error.upstreamStatus
        )
    }
}
