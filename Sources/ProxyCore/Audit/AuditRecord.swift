/// One tool call as the audit log keeps it. Never a token or a secret.
public struct AuditRecord: Sendable, Hashable {
    public enum Decision: Sendable, Hashable {
        case allow, deny

        /// The word the audit line writes: static, so it is copied without a look at its bytes.
        public var text: StaticString {
            switch self {
            case .allow: "allow"
            case .deny: "deny"
            }
        }
    }

    public enum Outcome: Sendable, Hashable {
        /// The call did what it asked (a dry run included).
        case ok
        /// Policy refused it; nothing was sent to Keycloak for the action.
        case denied
        /// It was allowed but failed (bad argument, unknown user, Keycloak trouble).
        case error

        /// The word the audit line writes: static, so it is copied without a look at its bytes.
        public var text: StaticString {
            switch self {
            case .ok: "ok"
            case .denied: "denied"
            case .error: "error"
            }
        }
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
        func key(_ key: StaticString) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            out.append(UInt8(ascii: "\""))
            key.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(contentsOf: "\":".utf8)
        }
        func field(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            key(name)
            JSONValue.writeString(value, to: &out)
        }
        func constant(_ name: StaticString, _ value: StaticString) {
            key(name)
            out.append(UInt8(ascii: "\""))
            value.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(UInt8(ascii: "\""))
        }
        field("agent", agent)
        constant("decision", decision.text)
        if dryRun {
            key("dry_run")
            out.append(contentsOf: "true".utf8)
        }
        key("duration_ms")
        Self.writeMilliseconds(durationMilliseconds, to: &out)
        field("error_code", errorCode)
        constant("outcome", outcome.text)
        field("realm", realm)
        field("reason", reason)
        field("request_id", requestID)
        field("tenant", tenant)
        key("time")
        out.append(UInt8(ascii: "\""))
        Self.writeISO8601(time, to: &out)
        out.append(UInt8(ascii: "\""))
        field("tool", tool)
        if let upstreamStatus {
            key("upstream_status")
            Self.writeDigits(Int64(upstreamStatus), width: 1, to: &out)
        }
        field("user_id", userID)
        field("username", username)
        out.append(UInt8(ascii: "}"))
    }

    /// `2026-11-24T21:25:54.123Z`.
    /// UTC, millisecond precision, for audit records and JSON logs.
    public static func iso8601(_ seconds: Double) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        writeISO8601(seconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends ``iso8601(_:)`` as UTF-8, digit by digit (every audit line has one).
    static func writeISO8601(_ seconds: Double, to out: inout [UInt8]) {
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
        writeDigits(year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        writeDigits(month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        writeDigits(day, width: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        writeDigits(inDay / 3_600_000, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        writeDigits(inDay / 60000 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        writeDigits(inDay / 1000 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: "."))
        writeDigits(inDay % 1000, width: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// A duration in milliseconds rounded to the microsecond, as the shortest decimal: the
    /// text `JSONValue.double` would write for the rounded value (`1.235`, `0.5`, `2.0`).
    static func writeMilliseconds(_ milliseconds: Double, to out: inout [UInt8]) {
        let micros = Int64((max(0, milliseconds) * 1000).rounded())
        writeDigits(micros / 1000, width: 1, to: &out)
        out.append(UInt8(ascii: "."))
        var fraction = micros % 1000
        guard fraction != 0 else { return out.append(UInt8(ascii: "0")) }
        var width = 3
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        writeDigits(fraction, width: width, to: &out)
    }

    /// `value` in decimal, zero-padded to at least `width` digits (at most 20).
    private static func writeDigits(_ value: Int64, width: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            while digits.count - start < width && start > 0 {
                start -= 1
                digits[start] = UInt8(ascii: "0")
            }
            // A contiguous buffer, so that the append is one copy (a slice went element by element).
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }
}
