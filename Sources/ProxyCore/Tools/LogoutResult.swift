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

    /// What the agent is told. ``Pieces`` spells the same sentences for the writers: change both.
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
        write(to: &out, Pieces.json)
    }

    /// Appends ``structured``'s JSON text escaped as inside a JSON string literal (without its
    /// quotes): a tool result's text content. Written in one pass, not rendered and escaped.
    public func writeJSONText(to out: inout [UInt8]) {
        write(to: &out, Pieces.text)
    }

    /// The fixed parts of the JSON text, as they are (``json``) and escaped once more for the
    /// text content (``text``; the tests check each against the escaper). Static strings: an
    /// array per part cost a retain and a release per part written.
    private struct Pieces {
        let nested: Bool
        let doneOpen, dryRunOpen, dryRunUser, doneUser, wouldBe, oneSession, sessions, logoutRest: StaticString
        let realm, sessionCount, statusDryRun, statusSuccess, userID, username, close, quote: StaticString

        static let json = Pieces(
            nested: false,
            doneOpen: #"{"dry_run":false,"message":""#,
            dryRunOpen: #"{"dry_run":true,"message":""#,
            dryRunUser: "Dry run: user ",
            doneUser: "User ",
            wouldBe: " would be logged out from ",
            oneSession: " session; nothing was changed",
            sessions: " sessions; nothing was changed",
            logoutRest: " logged out from all sessions",
            realm: #"","realm":"#,
            sessionCount: #","sessions":"#,
            statusDryRun: #","status":"dry_run","tenant":"#,
            statusSuccess: #","status":"success","tenant":"#,
            userID: #","user_id":"#,
            username: #","username":"#,
            close: "}",
            quote: #"""#
        )
        static let text = Pieces(
            nested: true,
            doneOpen: #"{\"dry_run\":false,\"message\":\""#,
            dryRunOpen: #"{\"dry_run\":true,\"message\":\""#,
            dryRunUser: "Dry run: user ",
            doneUser: "User ",
            wouldBe: " would be logged out from ",
            oneSession: " session; nothing was changed",
            sessions: " sessions; nothing was changed",
            logoutRest: " logged out from all sessions",
            realm: #"\",\"realm\":"#,
            sessionCount: #",\"sessions\":"#,
            statusDryRun: #",\"status\":\"dry_run\",\"tenant\":"#,
            statusSuccess: #",\"status\":\"success\",\"tenant\":"#,
            userID: #",\"user_id\":"#,
            username: #",\"username\":"#,
            close: "}",
            quote: #"\""#
        )
    }

    private func write(to out: inout [UInt8], _ pieces: Pieces) {
        func append(_ piece: StaticString) {
            piece.withUTF8Buffer { out.append(contentsOf: $0) }
        }
        // A caller's string, escaped once for JSON and, inside the text, once more.
        func content(_ string: String) {
            guard pieces.nested, JSONValue.needsEscaping(string) else { return JSONValue.writeEscaped(string, to: &out) }
            var once: [UInt8] = []
            JSONValue.writeEscaped(string, to: &once)
            once.withUnsafeBufferPointer { JSONValue.writeEscaped(utf8: $0, to: &out) }
        }
        func quoted(_ string: String) {
            append(pieces.quote)
            content(string)
            append(pieces.quote)
        }
        if let sessions = dryRunSessions {
            append(pieces.dryRunOpen)
            append(pieces.dryRunUser)
            content(userID)
            append(pieces.wouldBe)
            out.append(contentsOf: String(sessions).utf8)
            append(sessions == 1 ? pieces.oneSession : pieces.sessions)
        } else {
            append(pieces.doneOpen)
            append(pieces.doneUser)
            content(userID)
            append(pieces.logoutRest)
        }
        append(pieces.realm)
        quoted(realm)
        if let sessions = dryRunSessions {
            append(pieces.sessionCount)
            out.append(contentsOf: String(sessions).utf8)
        }
        append(dryRunSessions == nil ? pieces.statusSuccess : pieces.statusDryRun)
        quoted(tenant)
        append(pieces.userID)
        quoted(userID)
        if let username {
            append(pieces.username)
            quoted(username)
        }
        append(pieces.close)
    }
}
