extension ToolRouter {
    /// Counts one finished call (and its policy denial) from its audit record. Labels come from
    /// the config and fixed sets only: an unknown tool is `unknown`, a tenant the config does
    /// not hold (or the caller may not know) is empty.
    func recordMetrics(_ record: AuditRecord) {
        let metrics = registry.metrics
        let tool = ToolName(rawValue: record.tool) != nil ? record.tool : "unknown"
        let outcome: String
        switch record.outcome {
        case .ok: outcome = "ok"
        case .denied: outcome = record.errorCode ?? "policy_denied"
        case .error: outcome = record.errorCode ?? "error"
        case .pending: outcome = "pending"
        }
        let tenant = record.errorCode == ToolErrorCode.unknownTenant.rawValue ? nil : record.tenant
        metrics.toolCall(tenant: tenant, tool: tool, outcome: outcome)
        if record.decision == .deny, let reason = record.reason {
            metrics.policyDenial(reason: reason)
        }
    }
}
