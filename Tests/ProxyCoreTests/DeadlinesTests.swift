import KeycloakAdmin
import Testing

@Suite("Deadlines")
struct DeadlinesTests {
    @Test func aWaitEndsAtItsDeadlineGiveOrTakeTheResolution() async {
        let deadlines = Deadlines(resolution: .milliseconds(20))
        let started = ContinuousClock.now
        await deadlines.expire(after: .milliseconds(200))
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(200))
        // Generous: tests share two cores; a wait that never ended would hit the time limit.
        #expect(waited < .seconds(5), "waited \(waited)")
        #expect(deadlines.count == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func cancelledWaitsEndAtOnceAndLeaveNothingBehind() async {
        let deadlines = Deadlines(resolution: .milliseconds(20))
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<10_000 {
                group.addTask { await deadlines.expire(after: .seconds(3600)) }
            }
            group.cancelAll()
        }
        #expect(ContinuousClock.now - started < .seconds(30))
        #expect(deadlines.count == 0)
    }

    @Test func shorterWaitsEndFirstWhileLongerOnesKeepWaiting() async {
        let deadlines = Deadlines(resolution: .milliseconds(20))
        await withTaskGroup(of: Int.self) { group in
            group.addTask {
                await deadlines.expire(after: .seconds(3600))
                return 2
            }
            group.addTask {
                await deadlines.expire(after: .milliseconds(100))
                return 1
            }
            #expect(await group.next() == 1)
            #expect(deadlines.count == 1)
            group.cancelAll()
            #expect(await group.next() == 2)
        }
        #expect(deadlines.count == 0)
    }
}
