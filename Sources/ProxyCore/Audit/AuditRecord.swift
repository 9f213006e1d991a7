/// One tool call as the audit log keeps it. Never a token or a secret.
public struct AuditRecord: Sendable, Hashable {
    public enum Decision: String, Sendable, Hashable {
        case allow, deny
    }

    public enum Outcome: String, Sendable, Hashable {
        /// The call did what it asked (a dry run included).
        case ok
        /// Policy refused it; nothing was sent to Keycloak for the action.
        case denied
        /// It was allowed but failed (bad argument, unknown user, Keycloak trouble).
        case error
    }

    /// Seconds since 1970, UTC.
    public var time: Double
    public var requestID: String
    public var agent: String
    public var tool: String
    public var tenant: String?
    public var realm: String?
    public var userID: String?
    public var username: String?
    public var dryRun: Bool
    public var decision: Decision
    public var reason: String?
    public var outcome: Outcome
    public var errorCode: String?
    public var upstreamStatus: Int?
    public var durationMilliseconds: Double

    /// One JSON object on one line, keys sorted.
    public var jsonLine: String {
        var out: [UInt8] = []
        writeJSONLine(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends ``jsonLine`` as UTF-8, without building a dictionary per record.
    public func writeJSONLine(to out: inout [UInt8]) {
        out.reserveCapacity(out.count + 320)
        var first = true
        // In sorted order, as JSONValue writes objects.
        func field(_ key: StaticString, _ value: JSONValue?) {
            guard let value else { return }
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            out.append(UInt8(ascii: "\""))
            key.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(contentsOf: "\":".utf8)
            value.writeJSON(to: &out)
        }
        field("agent", .string(agent))
        field("decision", .string(decision.rawValue))
        field("dry_run", dryRun ? .bool(true) : nil)
        field("duration_ms", .double((durationMilliseconds * 1000).rounded() / 1000))
        field("error_code", errorCode.map(JSONValue.string))
        field("outcome", .string(outcome.rawValue))
        field("realm", realm.map(JSONValue.string))
        field("reason", reason.map(JSONValue.string))
        field("request_id", .string(requestID))
        field("tenant", tenant.map(JSONValue.string))
        field("time", .string(Self.iso8601(time)))
        field("tool", .string(tool))
        field("upstream_status", upstreamStatus.map(JSONValue.int))
        field("user_id", userID.map(JSONValue.string))
        field("username", username.map(JSONValue.string))
        out.append(UInt8(ascii: "}"))
    }

    /// `2026-11-24T21:25:54.123Z`.
    /// UTC, millisecond precision, for audit records and JSON logs.
    public static func iso8601(_ seconds: Double) -> String {
        let millis = Int64((seconds * 1000).rounded())
        let days = millis / 86_400_000
        let inDay = millis % 86_400_000
        // Civil date from days since 1970 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(inDay / 3_600_000, 2)):\(pad(inDay / 60000 % 60, 2)):\(pad(inDay / 1000 % 60, 2)).\(pad(inDay % 1000, 3))Z"
    }
}
