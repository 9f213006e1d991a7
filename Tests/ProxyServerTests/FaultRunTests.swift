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
            /// RSS and calls answered so far, every 2 s once the warm-up is over.
            let samples = Mutex<[(rss: Int, answered: Int)]>([])
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
                // Memory: every 2 s after a warm-up of a fifth of the run.
                group.addTask {
                    try await Task.sleep(for: .seconds(Double(seconds) / 5))
                    while ContinuousClock.now < end {
                        let sample = (rss: Self.residentBytes(pid), answered: observations.tally.withLock { $0.answered })
                        observations.samples.withLock { $0.append(sample) }
                        try await Task.sleep(for: .seconds(2))
                    }
                }
                try await group.waitForAll()
            }
            let samples = observations.samples.withLock { $0 }
            let result = observations.tally.withLock { $0 }
            #expect(result.unanswered.isEmpty, "\(result.unanswered.count) calls got no answer: \(result.unanswered.prefix(5))")
            #expect(result.wrongTenant.isEmpty, "answered for the wrong tenant: \(result.wrongTenant.prefix(5))")
            #expect(result.answered > seconds * 5, "only \(result.answered) calls in \(seconds) s")
            #expect(result.succeeded > 0)
            let allowed: Set = ["upstream_unavailable", "upstream_timeout", "upstream_error", "tenant_overloaded", "unknown_tenant", "protected_user", "upstream_auth_failed"]
            #expect(Set(result.failedWithCode.keys).isSubset(of: allowed), "\(result.failedWithCode)")
            // Memory does not grow after the warm-up: the median RSS of the last third of the
            // samples is within 4 MiB (allocator noise, reloads' new pools) of the first third's,
            // and what growth there is comes to under 64 bytes per call answered meanwhile.
            #expect(samples.count >= 6 && samples.allSatisfy { $0.rss > 0 }, "\(samples.count) samples")
            if samples.count >= 6 {
                let third = samples.count / 3
                let first = Self.median(samples.prefix(third).map(\.rss))
                let last = Self.median(samples.suffix(third).map(\.rss))
                let calls = max(1, samples[samples.count - third / 2 - 1].answered - samples[third / 2].answered)
                let growth = last - first
                let trace = samples.map { "\($0.rss >> 20)" }.joined(separator: " ")
                #expect(growth < 4 << 20, "RSS grew \(growth >> 10) KiB: \(trace) MiB")
                #expect(growth / calls < 64, "RSS grew \(growth / calls) B per call over \(calls) calls: \(trace) MiB")
                print("fault run: \(seconds) s, \(result.answered) answered, \(result.succeeded) succeeded, errors \(result.failedWithCode.sorted { $0.key < $1.key }), RSS every 2 s after warm-up (MiB): \(trace); growth \(growth >> 10) KiB over \(calls) calls")
            }

            child.terminate()
            #expect(try await child.exitStatus(within: .seconds(20)) == 0, "stderr tail: \(child.standardError.suffix(2000))")
            try await client.shutdown()
        }

        static func median(_ values: [Int]) -> Int {
            values.sorted()[values.count / 2]
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
