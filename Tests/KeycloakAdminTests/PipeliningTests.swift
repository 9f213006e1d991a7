import KeycloakAdmin
import KeycloakEmulator
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// Logouts started together on one event loop, as the proxy's listener starts those it reads
/// in one turn of its loop. With `pool.pipeline` they go out on one connection, one behind the
/// other, and are answered in order; without, only the first goes at once and the others wait
/// for a connection. A pipelined logout the connection loses before its answer is never
/// reported done: it comes back to be sent again.
@Suite(.timeLimit(.minutes(1)))
struct PipeliningTests {
    /// What became of a logout started with `logoutNow`.
    enum Outcome: Equatable {
        /// Not started: no connection of the loop was free.
        case notSent
        case succeeded
        case failed(KeycloakError.Code)
        /// The connection lost it: to go again through `logout(realm:userID:)`.
        case sendAgain
    }

    /// The outcomes of a burst, filled in on the event loop as they come.
    final class Outcomes: Sendable {
        private let state: Mutex<(outcomes: [Outcome?], done: CheckedContinuation<[Outcome], Never>?)>

        init(count: Int) { state = Mutex((Array(repeating: nil, count: count), nil)) }

        func record(_ outcome: Outcome, at index: Int) {
            let finished = state.withLock { state -> (CheckedContinuation<[Outcome], Never>, [Outcome])? in
                state.outcomes[index] = outcome
                guard let done = state.done, !state.outcomes.contains(nil) else { return nil }
                state.done = nil
                return (done, state.outcomes.map { $0! })
            }
            finished.map { $0.0.resume(returning: $0.1) }
        }

        func all() async -> [Outcome] {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> [Outcome]? in
                    if !state.outcomes.contains(nil) { return state.outcomes.map { $0! } }
                    state.done = continuation
                    return nil
                }
                now.map { continuation.resume(returning: $0) }
            }
        }
    }

    /// Starts `count` logouts of alice in one turn of `loop`; their outcomes, in order.
    func burst(_ client: KeycloakAdminClient, _ count: Int, on loop: any EventLoop) async -> [Outcome] {
        let outcomes = Outcomes(count: count)
        loop.execute {
            for index in 0..<count {
                let sent = client.logoutNow(realm: "customers", userID: aliceID, requestID: nil) { result in
                    switch result {
                    case .success?: outcomes.record(.succeeded, at: index)
                    case .failure(let error)?: outcomes.record(.failed(error.code), at: index)
                    case nil: outcomes.record(.sendAgain, at: index)
                    }
                }
                if !sent { outcomes.record(.notSent, at: index) }
            }
        }
        return await outcomes.all()
    }

    /// A burst on the event loop whose connection is idle (a warmed-up client has one): on any
    /// other loop nothing is sent.
    func burstWhereTheConnectionIs(_ client: KeycloakAdminClient, _ count: Int) async throws -> [Outcome] {
        for loop in MultiThreadedEventLoopGroup.singleton.makeIterator() {
            let outcomes = await burst(client, count, on: loop)
            if outcomes.first != .notSent { return outcomes }
            #expect(outcomes == Array(repeating: .notSent, count: count), "sent on a loop without a free connection")
        }
        Issue.record("no event loop had the warmed-up connection")
        return []
    }

    @Test(arguments: [(pipeline: 1, burst: 8, sent: 1), (pipeline: 8, burst: 8, sent: 8), (pipeline: 8, burst: 12, sent: 8)])
    func aBurstOfLogoutsSharesOneConnection(pipeline: Int, burst: Int, sent: Int) async throws {
        try await withTenant(adjust: { $0.pool = PoolSettings(maxConnections: 4, pipeline: pipeline) }) { emulator, client throws in
            // Token and one connection, idle on one of the event loops.
            try await client.logout(realm: "customers", userID: aliceID)
            let before = emulator.requestCount(.logout)
            let outcomes = try await burstWhereTheConnectionIs(client, burst)
            #expect(outcomes == Array(repeating: .succeeded, count: sent) + Array(repeating: .notSent, count: burst - sent))
            #expect(emulator.requestCount(.logout) == before + sent)
            #expect(try openConnections(to: emulator) == 1)
            // Given back once its last answer came: the next call reuses it.
            try await client.logout(realm: "customers", userID: aliceID)
            #expect(try openConnections(to: emulator) == 1)
        }
    }

    @Test func aConnectionDroppedMidPipelineReportsNoLogoutDone() async throws {
        let retries = RetryCount()
        try await withTenant(adjust: { $0.pool = PoolSettings(maxConnections: 4, pipeline: 8) }, onRetry: retries.add) { emulator, client throws in
            try await client.logout(realm: "customers", userID: aliceID)
            let before = emulator.requestCount(.logout)
            // Keycloak (or a proxy before it) drops the connection at the first of the six.
            emulator.failNext(1, with: .dropConnection, only: .logout)
            let outcomes = try await burstWhereTheConnectionIs(client, 6)
            #expect(outcomes == Array(repeating: .sendAgain, count: 6))
            #expect(retries.value == 6)
            // Each goes again, as the proxy sends it, and succeeds on a new connection.
            for _ in outcomes { try await client.logout(realm: "customers", userID: aliceID) }
            #expect(emulator.requestCount(.logout) >= before + 1 + 6)
        }
    }

    @Test func aSlowAnswerHoldsUpThoseBehindItUntilItsDeadline() async throws {
        try await withTenant(adjust: {
            $0.pool = PoolSettings(maxConnections: 4, pipeline: 8)
            $0.timeouts = Timeouts(connect: .seconds(2), request: .milliseconds(400))
        }) { emulator, client throws in
            // The warm-up under the same short timeout: a loaded machine (CI builds and tests in
            // parallel) may need more than one try for the token and the connection.
            for attempt in 1... {
                guard let error = await failure({ try await client.logout(realm: "customers", userID: aliceID) }) else { break }
                try #require(error.code == .upstreamTimeout && attempt < 10, "warm-up: \(error)")
            }
            emulator.stall(.logout)
            defer { emulator.releaseStalled() }
            let started = ContinuousClock.now
            let outcomes = try await burstWhereTheConnectionIs(client, 4)
            // The first times out; those behind it were never answered: each timed out too, or
            // (when its own deadline had not come yet) is given back to be sent again.
            #expect(outcomes.first == .failed(.upstreamTimeout))
            for outcome in outcomes.dropFirst() { #expect(outcome == .failed(.upstreamTimeout) || outcome == .sendAgain) }
            #expect(ContinuousClock.now - started >= .milliseconds(390))
            // The connection was closed with them: the answers that come late go nowhere.
            emulator.releaseStalled()
            let closing = ContinuousClock.now
            while try openConnections(to: emulator) > 0, ContinuousClock.now - closing < .seconds(5) {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try openConnections(to: emulator) == 0)
        }
    }
}
