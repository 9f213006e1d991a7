import Tracing

/// One tool call from its start to its end: when it began, its audit record as it fills in,
/// and its span when tracing is on.
struct RunningCall {
    let started = ContinuousClock.now
    var record: AuditRecord
    var span: (any Span)?

    init(name: String, caller: Caller, requestID: String) {
        record = AuditRecord(
            time: RequestID.now(), requestID: requestID, agent: caller.name, tool: name, dryRun: false,
            decision: .allow, outcome: .ok, durationMilliseconds: 0
        )
        record.tokenSubject = caller.token?.subject
        record.tokenAuthorizedParty = caller.token?.authorizedParty
        record.tokenID = caller.token?.tokenID
    }
}
