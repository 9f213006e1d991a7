import Foundation
import KeycloakEmulator
import NIOHTTP1
import ProxyCore
import Synchronization
import Testing

/// How long the fault run lasts; it runs only when this is set (`.ci/run` sets it).
private let faultRunSeconds = ProcessInfo.processInfo.environment["KMP_FAULT_RUN_SECONDS"].flatMap(Int.init)

extension EndToEnd {
    /// Minutes of trouble: tenants fail, drop connections, stall and recover, and the config
    /// reloads, while agents keep calling the built binary. Every call gets an answer, none for
    /// the wrong tenant, and the proxy's memory does not grow.
    @Suite("fault run", .timeLimit(.minutes(10)))
    struct FaultRunTests {
        /// What the agents saw and what memory did, shared by the run's tasks.
        final class Observations: Sendable {
            let tally = Mutex(Tally())
            /// RSS and calls answered so far, once the warm-up is over.
            let afterWarmUp = Mutex((rss: 0, answered: 0))
        }

        struct Tally {
            var answered = 0
            var succeeded = 0
            var failedWithCode: [String: Int] = [:]
            var unanswered: [String] = []
            var wrongTenant: [String] = []
        }

        @Test(.enabled(if: faultRunSeconds != nil, "set KMP_FAULT_RUN_SECONDS to run it"))
        func everyCallIsAnsweredForItsTenantAndMemoryStaysFlat() async throws {
            let seconds = faultRunSeconds ?? 60
            let directory = try StdioTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            try await KeycloakEmulator.withRunning(.init()) { eu in
                try await KeycloakEmulator.withRunning(.init(basePath: "/auth")) { us in
                    try await KeycloakEmulator.withRunning(.init()) { apac in
                        let tenants = [("eu", eu), ("us", us), ("apac", apac)]
                        for (name, emulator) in tenants { try seedTenant(emulator, idPrefix: name) }
                        try await run(seconds: seconds, tenants: tenants, directory: directory)
                    }
                }
            }
        }

        /// Every tenant allows customers and partner-*, with short timeouts and a quick breaker;
        /// `protectBob` is the policy change the reloads flip.
        private func config(_ tenants: [(String, KeycloakEmulator)], protectBob: Bool) -> String {
            let users = protectBob ? "[break-glass-admin, bob]" : "[break-glass-admin]"
            return OperationsTests.config(tenants).replacingOccurrences(
                of: "protected_users: [break-glass-admin]",
                with: """
                    protected_users: \(users)
                        allowed_realms: [customers, "partner-*"]
                        timeouts: { connect: 1s, request: 1s }
                        breaker: { failures: 3, cool_down: 1s }
                    """)
        }

        private func run(seconds: Int, tenants: [(String, KeycloakEmulator)], directory: URL) async throws {
            let path = directory.appendingPathComponent("config.yaml").path
            try config(tenants, protectBob: false).write(toFile: path, atomically: true, encoding: .utf8)
            let (child, client) = try await OperationsTests.serve(path)
            defer { child.stop() }
            let pid = try #require(child.processIdentifier)
            let end = ContinuousClock.now + .seconds(seconds)
            let observations = Observations()

            try await withThrowingTaskGroup(of: Void.self) { group in
                // Agents: random tenant, user and tool; each answer is checked against the tenant asked.
                for agent in 0..<6 {
                    group.addTask {
                        var generator = SystemRandomNumberGenerator()
                        var call = 0
                        while ContinuousClock.now < end {
                            call += 1
                            let tenant = ["eu", "us", "apac"].randomElement(using: &generator)!
                            let user = ["alice", "bob", "erin"].randomElement(using: &generator)!
                            let realm = user == "erin" ? "partner-acme" : "customers"
                            let tool = Bool.random(using: &generator) ? "logout_user" : "get_user_sessions"
                            let label = "agent \(agent) call \(call): \(tool) \(user)@\(tenant)"
                            do {
                                let reply = try await client.rpc(
                                    "tools/call", ["name": .string(tool), "arguments": ["tenant": .string(tenant), "username": .string(user), "realm": .string(realm)]],
                                    id: call, token: TestAgent.incidentBot.token)
                                let result = reply.json["result"]
                                observations.tally.withLock { tally in
                                    guard reply.status == 200, result.exists else {
                                        tally.unanswered.append("\(label): HTTP \(reply.status) \(reply.body.prefix(200))")
                                        return
                                    }
                                    tally.answered += 1
                                    if result["isError"].bool == true {
                                        let code = result["structuredContent"]["error"]["code"].string ?? "?"
                                        tally.failedWithCode[code, default: 0] += 1
                                    } else {
                                        tally.succeeded += 1
                                        let content = result["structuredContent"]
                                        if content["tenant"].string != tenant || content["user_id"].string != "\(tenant)-\(user)" {
                                            tally.wrongTenant.append("\(label): \(content)")
                                        }
                                    }
                                }
                            } catch {
                                observations.tally.withLock { $0.unanswered.append("\(label): \(error)") }
                            }
                        }
                    }
                }
                // Trouble: every 300 ms a random tenant fails, drops, stalls or recovers.
                group.addTask {
                    var generator = SystemRandomNumberGenerator()
                    var stalled: KeycloakEmulator?
                    while ContinuousClock.now < end {
                        let emulator = tenants.randomElement(using: &generator)!.1
                        switch Int.random(in: 0..<5, using: &generator) {
                        case 0: emulator.failNext(Int.random(in: 1...5, using: &generator), with: .status(503))
                        case 1: emulator.failNext(Int.random(in: 1...5, using: &generator), with: .dropConnection)
                        case 2:
                            stalled?.releaseStalled()
                            emulator.stall()
                            stalled = emulator
                        case 3: emulator.setLatency(.milliseconds(Int64.random(in: 0...200, using: &generator)))
                        default:
                            stalled?.releaseStalled()
                            stalled = nil
                            emulator.clearFaults()
                        }
                        try await Task.sleep(for: .milliseconds(300))
                    }
                    for (_, emulator) in tenants {
                        emulator.clearFaults()
                        emulator.releaseStalled()
                    }
                }
                // Reloads: every 2 s the policy changes (bob protected or not) and apac comes and goes.
                group.addTask {
                    var round = 0
                    while ContinuousClock.now < end {
                        try await Task.sleep(for: .seconds(2))
                        round += 1
                        let present = round % 3 == 0 ? Array(tenants.prefix(2)) : tenants
                        try OperationsTests.replace(path, with: config(present, protectBob: round % 2 == 0))
                    }
                    try OperationsTests.replace(path, with: config(tenants, protectBob: false))
                }
                // Memory: after a warm-up of a fifth of the run, and at the end.
                group.addTask {
                    try await Task.sleep(for: .seconds(Double(seconds) / 5))
                    let bytes = Self.residentBytes(pid)
                    let answered = observations.tally.withLock { $0.answered }
                    observations.afterWarmUp.withLock { $0 = (bytes, answered) }
                }
                try await group.waitForAll()
            }
            let rssAtEnd = Self.residentBytes(pid)
            let (rssAfterWarmUp, answeredAtWarmUp) = observations.afterWarmUp.withLock { $0 }
            let result = observations.tally.withLock { $0 }
            #expect(result.unanswered.isEmpty, "\(result.unanswered.count) calls got no answer: \(result.unanswered.prefix(5))")
            #expect(result.wrongTenant.isEmpty, "answered for the wrong tenant: \(result.wrongTenant.prefix(5))")
            #expect(result.answered > seconds * 5, "only \(result.answered) calls in \(seconds) s")
            #expect(result.succeeded > 0)
            let allowed: Set = ["upstream_unavailable", "upstream_timeout", "upstream_error", "tenant_overloaded", "unknown_tenant", "protected_user", "upstream_auth_failed"]
            #expect(Set(result.failedWithCode.keys).isSubset(of: allowed), "\(result.failedWithCode)")
            #expect(rssAfterWarmUp > 0 && rssAtEnd > 0)
            // Memory kept per call answered after the warm-up. The target is none; a known open
            // defect keeps ~0.5-1.4 KiB per call in the MCP request path (the router alone keeps
            // none; see docs/benchmarks.md), so the bound is 2 KiB per call until that is fixed,
            // then it tightens to "no growth". Per call, not per second: a faster machine makes
            // more calls in the same time.
            let calls = max(1, result.answered - answeredAtWarmUp)
            let keptPerCall = max(0, rssAtEnd - rssAfterWarmUp) / calls
            #expect(keptPerCall < 2048, "RSS \(rssAfterWarmUp >> 20) MiB → \(rssAtEnd >> 20) MiB over \(calls) calls: \(keptPerCall) B per call")
            print("fault run: \(seconds) s, \(result.answered) answered, \(result.succeeded) succeeded, errors \(result.failedWithCode.sorted { $0.key < $1.key }), RSS \(rssAfterWarmUp >> 20) → \(rssAtEnd >> 20) MiB, \(max(0, rssAtEnd - rssAfterWarmUp) / max(1, result.answered - answeredAtWarmUp)) B kept per call")

            child.terminate()
            #expect(try await child.exitStatus(within: .seconds(20)) == 0, "stderr tail: \(child.standardError.suffix(2000))")
            try await client.shutdown()
        }

        /// VmRSS of a process, in bytes.
        static func residentBytes(_ pid: Int32) -> Int {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
            else { return 0 }
            return kilobytes * 1024
        }
    }
}
