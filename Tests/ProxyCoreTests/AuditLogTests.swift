import Foundation
import Logging
@testable import ProxyCore
import ServiceLifecycle
import TestSupport
import Testing

/// The audit log's writer: records leave the call at once and reach the file from one writer;
/// what cannot be written is counted and logged, never lost silently.
@Suite("Audit log writer", .timeLimit(.minutes(1)))
struct AuditLogTests {
    private func record(_ index: Int) -> AuditRecord {
        AuditRecord(
            time: 1_764_000_000, requestID: String(format: "%016x", index), agent: "bot", tool: "logout_user", dryRun: false,
            decision: .allow, outcome: .ok, durationMilliseconds: 1)
    }

    private func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func theWriterServiceWritesRecordsAsTheyComeAndTheRestAtShutdown() async throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.path + "/audit.jsonl"
        let audit = try AuditLog(.file(path))
        let group = ServiceGroup(services: [audit], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for index in 0..<100 { audit.write(record(index)) }
            // Written by the service, without a flush from here: wait until the file has them.
            let deadline = ContinuousClock.now + .seconds(10)
            while lines(path).count < 100, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(lines(path).count == 100)
            for index in 100..<150 { audit.write(record(index)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        audit.close()
        let written = lines(path)
        #expect(written.count == 150)
        #expect(Set(written.map { try! JSONCoding.decode(JSONValue.self, from: Data($0.utf8))["request_id"] }).count == 150)
    }

    @Test func recordsBeyondTheBufferAreCountedAndLoggedNotDroppedSilently() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let path = dir.path + "/audit.jsonl"
        let prometheus = PrometheusMetrics()
        let logs = LogCapture()
        let audit = try AuditLog(.file(path), capacity: 2, metrics: prometheus.metrics, logger: logs.logger)
        for index in 0..<5 { audit.write(record(index)) }
        audit.close()
        #expect(lines(path).count == 2)
        let samples = parsePrometheus(prometheus.render())
        #expect(samples.value(ProxyMetrics.Name.auditRecordsLost, ["reason": "buffer_full"]) == 3)
        // One line when the buffer first overflowed, one with the count when it was written.
        let errors = logs.all.filter { $0.level == .error }
        #expect(errors.count == 2)
        #expect(errors.last?.metadata["lost"] == "3")
    }

    @Test func aFileThatRefusesWritesIsCountedAndLoggedOnce() throws {
        // /dev/full answers every write with ENOSPC.
        let prometheus = PrometheusMetrics()
        let logs = LogCapture()
        let audit = try AuditLog(.file("/dev/full"), metrics: prometheus.metrics, logger: logs.logger)
        for index in 0..<3 {
            audit.write(record(index))
            audit.flush()
        }
        audit.close()
        let samples = parsePrometheus(prometheus.render())
        #expect(samples.value(ProxyMetrics.Name.auditRecordsLost, ["reason": "write_failed"]) == 3)
        let errors = logs.all.filter { $0.level == .error }
        #expect(errors.count == 1)
        #expect(errors.first?.message.contains("cannot write the audit log") == true)
    }
}
