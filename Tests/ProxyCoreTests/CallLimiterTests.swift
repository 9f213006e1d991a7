@testable import ProxyCore
import Testing

@Suite("Call limiter", .timeLimit(.minutes(1)))
struct CallLimiterTests {
    @Test func slotsThenAShortQueueThenRefusal() async throws {
        let limiter = CallLimiter(limits: TenantLimits(maxInFlight: 1, maxQueued: 1))
        try await limiter.acquire(maxWait: .seconds(30))
        #expect(limiter.inFlight == 1)

        let queued = Task { try await limiter.acquire(maxWait: .seconds(30)) }
        #expect(await eventually { limiter.queued == 1 })
        await #expect(throws: CallLimiter.Refusal.queueFull(TenantLimits(maxInFlight: 1, maxQueued: 1))) {
            try await limiter.acquire(maxWait: .seconds(30))
        }

        // A released slot goes straight to the queued call.
        limiter.release()
        try await queued.value
        #expect(limiter.inFlight == 1)
        #expect(limiter.queued == 0)
        limiter.release()
        #expect(limiter.inFlight == 0)
    }

    @Test func aQueuedCallWaitsAtMostItsLimitAndACancelledOneLeavesTheQueue() async throws {
        let limiter = CallLimiter(limits: TenantLimits(maxInFlight: 1, maxQueued: 2))
        try await limiter.acquire(maxWait: .seconds(30))
        do {
            try await limiter.acquire(maxWait: .milliseconds(100))
            Issue.record("admitted while the only slot was taken")
        } catch {
            guard case .timedOut(let waited, let limits) = error else {
                Issue.record("expected a timeout, got \(error)")
                return
            }
            #expect(waited >= .milliseconds(100))
            #expect(limits == TenantLimits(maxInFlight: 1, maxQueued: 2))
        }
        #expect(limiter.queued == 0)

        let cancelled = Task { try await limiter.acquire(maxWait: .seconds(30)) }
        #expect(await eventually { limiter.queued == 1 })
        cancelled.cancel()
        await #expect(throws: CallLimiter.Refusal.cancelled) { try await cancelled.value }
        #expect(limiter.queued == 0)
        limiter.release()
        #expect(limiter.inFlight == 0)
    }

    @Test func raisingTheLimitAdmitsWaitingCalls() async throws {
        let limiter = CallLimiter(limits: TenantLimits(maxInFlight: 1, maxQueued: 5))
        try await limiter.acquire(maxWait: .seconds(30))
        let waiting = Task { try await limiter.acquire(maxWait: .seconds(30)) }
        #expect(await eventually { limiter.queued == 1 })
        limiter.update(TenantLimits(maxInFlight: 2, maxQueued: 5))
        try await waiting.value
        #expect(limiter.inFlight == 2)
        limiter.release()
        limiter.release()
    }
}
