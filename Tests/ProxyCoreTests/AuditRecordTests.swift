import Foundation
@testable import ProxyCore
import Testing

@Suite("Audit records")
struct AuditRecordTests {
    private static let full = AuditRecord(
        time: 1_764_000_000.25, requestID: "00c0ffee00c0ffee", agent: "incident-bot", tool: "logout_user",
        tenant: "eu", realm: "customers", userID: "u-1", username: "al\"ice\n", dryRun: true,
        decision: .deny, reason: "realm_denied", outcome: .denied, errorCode: "policy_denied",
        upstreamStatus: 403, durationMilliseconds: 1.23456
    )

    @Test func aLineIsOneCompactJSONObjectWithSortedKeys() throws {
        let line = Self.full.jsonLine
        #expect(!line.contains("\n"))
        let expected: JSONValue = [
            "agent": "incident-bot", "confirmation": "not_needed", "decision": "deny", "dry_run": true, "duration_ms": .double(1.235),
            "error_code": "policy_denied", "outcome": "denied", "realm": "customers", "reason": "realm_denied",
            "request_id": "00c0ffee00c0ffee", "tenant": "eu", "time": "2025-11-24T16:00:00.250Z", "tool": "logout_user",
            "upstream_status": 403, "user_id": "u-1", "username": "al\"ice\n",
        ]
        // The same text JSONValue writes for the same object: compact, keys in sorted order.
        #expect(line == expected.jsonText)
        #expect(try JSONCoding.decode(JSONValue.self, from: Data(line.utf8)) == expected)
    }

    @Test func absentFieldsAreLeftOutNotNull() {
        var record = Self.full
        (record.tenant, record.realm, record.userID, record.username) = (nil, nil, nil, nil)
        (record.reason, record.errorCode, record.upstreamStatus, record.dryRun) = (nil, nil, nil, false)
        record.decision = .allow
        record.outcome = .ok
        #expect(
            record.jsonLine
                == #"{"agent":"incident-bot","confirmation":"not_needed","decision":"allow","duration_ms":1.235,"outcome":"ok","request_id":"00c0ffee00c0ffee","time":"2025-11-24T16:00:00.250Z","tool":"logout_user"}"#
        )
    }

    @Test func timesAreUTCWithMilliseconds() {
        #expect(AuditRecord.iso8601(0) == "1970-01-01T00:00:00.000Z")
        #expect(AuditRecord.iso8601(951_782_400.5) == "2000-02-29T00:00:00.500Z")
        #expect(AuditRecord.iso8601(4_102_444_799.999) == "2099-12-31T23:59:59.999Z")
    }
}
