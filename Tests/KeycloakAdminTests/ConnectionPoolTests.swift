import Foundation
import KeycloakAdmin
import KeycloakEmulator
import Synchronization
import Testing

/// Counts a client's retries (its `onRetry`).
final class RetryCount: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    @Sendable func add() { count.add(1, ordering: .relaxed) }
}

/// The tenant's connections as Keycloak sees them: how many, how long they live, what a
/// cancelled or retired call leaves behind.
@Suite struct ConnectionPoolTests {
    @Test func keycloakSeesAtMostMaxConnections() async throws {
        try await withTenant(adjust: {
            $0.pool.maxConnections = 2
            $0.timeouts = Timeouts(connect: .seconds(3), request: .seconds(30))
        }) { emulator, client throws in
            try await client.logout(realm: "customers", userID: aliceID)
            emulator.stall(.logout)
            try await withThrowingTaskGroup(of: KeycloakError?.self) { group in
                for _ in 0..<3 {
                    group.addTask { await failure { try await client.logout(realm: "customers", userID: aliceID) } }
                }
                while emulator.stalledCount < 2 { try await Task.sleep(for: .milliseconds(10)) }
                // The third call waits for a connection instead of opening one, until the connect
                // timeout: its answer, while the other two are still held, is the signal that it
                // had every chance to open a third.
                let third = try await group.next()
                #expect(third??.code == .tenantOverloaded)
                #expect(emulator.stalledCount == 2)
                #expect(try openConnections(to: emulator) == 2)
                emulator.releaseStalled()
                for try await error in group { #expect(error == nil) }
            }
            #expect(emulator.requestCount(.logout) == 3)
        }
    }

    @Test func connectionsAreReusedAndClosedWhenIdle() async throws {
        try await withTenant(adjust: { $0.pool.idleTimeout = .milliseconds(300) }) { emulator, client throws in
            for _ in 0..<20 {
                try await client.logout(realm: "customers", userID: aliceID)
            }
            // Sequential calls, token fetch included, share one connection.
            #expect(try openConnections(to: emulator) == 1)
            let start = ContinuousClock.now
            while try openConnections(to: emulator) > 0, ContinuousClock.now - start < .seconds(5) {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try openConnections(to: emulator) == 0)
            #expect(ContinuousClock.now - start >= .milliseconds(200))
            // The next call opens a new one.
            try await client.logout(realm: "customers", userID: aliceID)
            #expect(try openConnections(to: emulator) == 1)
        }
    }

    @Test func anIdleTimeoutNeverClosesAConnectionInUse() async throws {
        // With a 1 ms idle timeout, every connection's check passes while it is being opened,
        // handed over or leased again: it must close only connections idle in the pool. (A leased
        // connection closed under its call would be retried, so the retries are counted too.)
        let retries = RetryCount()
        try await withTenant(adjust: { $0.pool.idleTimeout = .milliseconds(1) }, onRetry: retries.add) { emulator, client throws in
            for _ in 0..<30 {
                try await client.logout(realm: "customers", userID: aliceID)
            }
            try await withThrowingTaskGroup { group in
                for _ in 0..<16 {
                    group.addTask {
                        for _ in 0..<10 { try await client.logout(realm: "customers", userID: aliceID) }
                    }
                }
                try await group.waitForAll()
            }
            #expect(emulator.requestCount(.logout) == 190)
        }
        #expect(retries.value == 0)
    }

    @Test func anIdleTimeoutLongerThanTheRequestTimeoutIsWaitedFor() async throws {
        // The connection's one check fires first at the exchange's deadline (2 s), finds it
        // idle, and waits on for the idle timeout (8 s). Under the whole suite this task may
        // resume a second or more after the connection went idle, so the bounds leave room.
        try await withTenant(adjust: {
            $0.pool.idleTimeout = .seconds(8)
            $0.timeouts.request = .seconds(2)
        }) { emulator, client throws in
            try await warmUp(client)
            let idle = ContinuousClock.now
            // Watched from the start: when it closes is what is checked, not that it is still open
            // at some moment.
            while try openConnections(to: emulator) > 0, ContinuousClock.now - idle < .seconds(25) {
                try await Task.sleep(for: .milliseconds(50))
            }
            let closedAfter = ContinuousClock.now - idle
            #expect(try openConnections(to: emulator) == 0)
            #expect(closedAfter >= .seconds(5), "closed after \(closedAfter), before its idle timeout")
        }
    }

    @Test func aCancelledCallGivesItsConnectionBack() async throws {
        try await withTenant(adjust: {
            $0.pool.maxConnections = 1
            $0.timeouts = Timeouts(connect: .seconds(1), request: .seconds(30))
        }) { emulator, client throws in
            try await client.logout(realm: "customers", userID: aliceID)
            emulator.stall(.logout)
            let stalled = Task { await failure { try await client.logout(realm: "customers", userID: aliceID) } }
            while emulator.stalledCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
            let start = ContinuousClock.now
            stalled.cancel()
            let error = await stalled.value
            #expect(error?.code == .upstreamUnavailable)
            // Well before the 30 s request timeout, with room for a loaded machine.
            #expect(ContinuousClock.now - start < .seconds(10))
            emulator.releaseStalled()
            // The only slot is free again: the next call neither waits nor fails.
            try await client.logout(realm: "customers", userID: aliceID)
        }
    }

    @Test func shutdownEndsTheCallsInFlightAtOnce() async throws {
        try await KeycloakEmulator.withRunning { emulator in
            try seedCustomers(emulator)
            var tenant = settings(emulator, timeouts: Timeouts(connect: .seconds(2), request: .seconds(30)))
            tenant.pool.maxConnections = 1
            let client = try KeycloakAdminClient(settings: tenant, logger: quietLogger)
            try await client.logout(realm: "customers", userID: aliceID)
            emulator.stall(.logout)
            let inFlight = Task { await failure { try await client.logout(realm: "customers", userID: aliceID) } }
            while emulator.stalledCount == 0 { try await Task.sleep(for: .milliseconds(10)) }
            let waiting = Task { await failure { try await client.logout(realm: "customers", userID: aliceID) } }
            try await Task.sleep(for: .milliseconds(100))
            let start = ContinuousClock.now
            try await client.shutdown()
            #expect(await inFlight.value?.code == .upstreamUnavailable)
            #expect(await waiting.value?.code == .upstreamUnavailable)
            // Well before the 30 s request timeout, with room for a loaded machine.
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(try openConnections(to: emulator) == 0)
            emulator.releaseStalled()
        }
    }
}

/// Established TCP connections from this process's machine to the emulator's port, read from
/// /proc/net/tcp (the emulator listens on 127.0.0.1).
func openConnections(to emulator: KeycloakEmulator) throws -> Int {
    let port = URLComponents(string: emulator.url)!.port!
    let wanted = ":" + String(port, radix: 16, uppercase: true).leftPadded(to: 4)
    // Read to the end: procfs files report size 0, and a sized read would stop at one page.
    let file = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/net/tcp"))
    defer { try? file.close() }
    let table = String(decoding: try file.readToEnd() ?? Data(), as: UTF8.self)
    return table.split(separator: "\n").dropFirst().count { line in
        let fields = line.split(separator: " ")
        return fields.count > 3 && fields[2].hasSuffix(wanted) && fields[3] == "01"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
