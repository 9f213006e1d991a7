import KeycloakAdmin

extension ToolRouter {
    /// A user call that policy allowed, for one tenant and realm, and the steps of its Keycloak
    /// part: which lookup it needs, whom it acts on, and what it answers.
    struct UserCall {
        let tool: ToolName
        let arguments: ToolArguments
        let served: TenantRegistry.Snapshot.Served
        let realm: String
        /// Whether a person's yes is asked for, or was given.
        var confirmation = ConfirmationStep.notNeeded

        /// Whom the call acts on.
        struct Subject {
            var userID: String
            var username: String?
        }

        /// What has to be asked of Keycloak before the call can act.
        enum Lookup {
            /// Nothing: the id is given, and its username is not needed.
            case known(Subject)
            /// The user with this username (its id is needed).
            case byName(String)
            /// The username of the user with this id: the tenant protects users by name, or a
            /// dry run names the user.
            case byID(String)
        }

        var lookup: Lookup {
            if let name = arguments.username { return .byName(name) }
            let id = arguments.userID ?? ""
            if !served.config.protectedUsers.isEmpty || (tool == .logoutUser && arguments.dryRun) { return .byID(id) }
            // The question names the user.
            if case .ask = confirmation { return .byID(id) }
            return .known(Subject(userID: id, username: nil))
        }

        /// How many requests the call sends to Keycloak, each within the tenant's request timeout.
        var requests: Int {
            if case .known = lookup { return 1 }
            return 2
        }

        /// The user a search by `name` found, or the failure that ends the call.
        func subject(found: UserRepresentation?, byName name: String) -> Result<Subject, ToolFailure> {
            guard let found else {
                let tenant = served.config.name
                return .failure(ToolFailure(.userNotFound, "no user with username \"\(name)\" in realm \"\(realm)\" of tenant \(tenant)", tenant: tenant, realm: realm))
            }
            return .success(Subject(userID: found.id, username: found.username))
        }

        /// Records whom the call acts on; the failure when that user is protected.
        func check(_ subject: Subject, record: inout AuditRecord) -> ToolFailure? {
            record.userID = subject.userID
            record.username = subject.username
            guard let denial = Policy.protection(of: served.config, userID: subject.userID, username: subject.username) else { return nil }
            return ToolFailure(denial.code, denial.message, tenant: served.config.name, realm: realm, policyReason: denial.reason)
        }

        /// A logout (not a dry run); anything else reads the user's sessions.
        var logsOut: Bool { tool == .logoutUser && !arguments.dryRun }

        /// The answer to a logout Keycloak carried out.
        func loggedOut(_ subject: Subject) -> ToolOutcome {
            .loggedOut(LogoutResult(tenant: served.config.name, realm: realm, userID: subject.userID, username: subject.username))
        }

        /// The answer to a dry run or `get_user_sessions`, from the user's sessions.
        func outcome(_ sessions: [UserSession], of subject: Subject) -> ToolOutcome {
            let tenant = served.config.name
            if tool == .logoutUser {
                return .loggedOut(
                    LogoutResult(tenant: tenant, realm: realm, userID: subject.userID, username: subject.username, dryRunSessions: sessions.count))
            }
            var result: [String: JSONValue] = ["tenant": .string(tenant), "realm": .string(realm), "user_id": .string(subject.userID)]
            result["username"] = subject.username.map(JSONValue.string)
            result["count"] = .int(sessions.count)
            result["sessions"] = .array(sessions.map(Self.render))
            return .success(.object(result))
        }

        static func render(_ session: UserSession) -> JSONValue {
            var object: [String: JSONValue] = ["id": .string(session.id)]
            object["username"] = session.username.map(JSONValue.string)
            object["user_id"] = session.userId.map(JSONValue.string)
            object["ip_address"] = session.ipAddress.map(JSONValue.string)
            object["start"] = session.start.map { .string(AuditRecord.iso8601(Double($0) / 1000)) }
            object["last_access"] = session.lastAccess.map { .string(AuditRecord.iso8601(Double($0) / 1000)) }
            object["remember_me"] = session.rememberMe.map(JSONValue.bool)
            object["clients"] = session.clients.map { .array($0.values.sorted().map(JSONValue.string)) }
            return .object(object)
        }
    }
}
