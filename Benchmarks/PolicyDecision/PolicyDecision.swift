import Benchmark
import BenchmarkSupport
import ProxyCore

// The policy decision every tool call makes (Policy.check with tool, tenant and realm), on the
// 1,000-tenant config: an agent with a realm scope, allowed and denied. With scalingFactor
// .kilo each sample runs 1,000 checks and the figures marked * are per check.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
        warmupIterations: 2,
        scalingFactor: .kilo,
        maxDuration: .seconds(5),
        maxIterations: 1000
    )

    let loader = ConfigLoader(environment: ["KC_SECRET": "benchmark-secret"])
    let config = try! loader.load(bytes: generatedConfig(tenants: 1000), fileName: "config.yaml", directory: "/tmp").config
    let tenant = config.tenants.first { $0.name == "tenant-0000" }!
    let caller = Caller(agent: config.agents!.first { $0.name == "agent-0" }!)

    Benchmark("Policy.check allowed (agent scope, 1,000-tenant config)") { benchmark in
        for _ in benchmark.scaledIterations {
            let denial = Policy.check(caller, tool: .logoutUser, tenant: tenant, realm: "customers")
            precondition(denial == nil)
            blackHole(denial)
        }
    }
    Benchmark("Policy.check denied by denied_realms") { benchmark in
        for _ in benchmark.scaledIterations {
            let denial = Policy.check(caller, tool: .logoutUser, tenant: tenant, realm: "internal-audit")
            precondition(denial != nil)
            blackHole(denial)
        }
    }
}
