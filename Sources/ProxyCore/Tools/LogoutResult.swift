/// What `logout_user` answers when Keycloak logged the user out, or on a dry run would have.
///
/// The hot path's result: written as JSON from its fields (``writeJSON(to:)``), where a
/// ``JSONValue`` object cost a dictionary, a hash per key and a sort per call. ``structured``
/// is the same object as a ``JSONValue``, for clients of the SDK path and for tests.
public struct LogoutResult: Sendable, Hashable {
    public var tenant: String
    public var realm: String
    public var userID: String
    /// Known when the call named the user by username, or looked it up (protected users, dry runs).
    public var username: String?
    /// A dry run's count of the user's online sessions; nil when the logout was done.
    public var dryRunSessions: Int?

    public init(tenant: String, realm: String, userID: String, username: String?, dryRunSessions: Int? = nil) {
        self.tenant = tenant
        self.realm = realm
        self.userID = userID
        self.username = username
        self.dryRunSessions = dryRunSessions
    }

    public var message: String {
        guard let sessions = dryRunSessions else { return "User \(userID) logged out from all sessions" }
        return "Dry run: user \(userID) would be logged out from \(sessions) session\(sessions == 1 ? "" : "s"); nothing was changed"
    }

    /// The result as a JSON object.
    public var structured: JSONValue {
        var result: [String: JSONValue] = [
            "tenant": .string(tenant), "realm": .string(realm), "user_id": .string(userID), "message": .string(message),
            "status": dryRunSessions == nil ? "success" : "dry_run", "dry_run": .bool(dryRunSessions != nil),
        ]
        result["username"] = username.map(JSONValue.string)
        result["sessions"] = dryRunSessions.map(JSONValue.int)
        return .object(result)
    }

    /// Appends ``structured`` as `JSONValue.writeJSON(to:)` writes it (keys sorted), without
    /// building it.
    public func writeJSON(to out: inout [UInt8]) {
        let dryRun = dryRunSessions != nil
        out.append(contentsOf: dryRun ? #"{"dry_run":true,"message":"#.utf8 : #"{"dry_run":false,"message":"#.utf8)
        out.append(UInt8(ascii: "\""))
        if let sessions = dryRunSessions {
            out.append(contentsOf: "Dry run: user ".utf8)
            JSONValue.writeEscaped(userID, to: &out)
            out.append(contentsOf: " would be logged out from ".utf8)
            out.append(contentsOf: String(sessions).utf8)
            out.append(contentsOf: (sessions == 1 ? " session; nothing was changed" : " sessions; nothing was changed").utf8)
        } else {
            out.append(contentsOf: "User ".utf8)
            JSONValue.writeEscaped(userID, to: &out)
            out.append(contentsOf: " logged out from all sessions".utf8)
        }
        out.append(contentsOf: #"","realm":"#.utf8)
        JSONValue.writeString(realm, to: &out)
        if let sessions = dryRunSessions {
            out.append(contentsOf: #","sessions":"#.utf8)
            out.append(contentsOf: String(sessions).utf8)
        }
        out.append(contentsOf: (dryRun ? #","status":"dry_run","tenant":"# : #","status":"success","tenant":"#).utf8)
        JSONValue.writeString(tenant, to: &out)
        out.append(contentsOf: #","user_id":"#.utf8)
        JSONValue.writeString(userID, to: &out)
        if let username {
            out.append(contentsOf: #","username":"#.utf8)
            JSONValue.writeString(username, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}
