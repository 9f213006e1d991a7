import Benchmark
import KeycloakAdmin

// What every admin call pays for its token once the cache holds one: TokenCache.token() on a
// warm cache (a token with an hour to live, so no refresh is due). The fetcher answers at
// once with a fixed token and is called once, before measuring.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
        warmupIterations: 2,
        maxDuration: .seconds(5),
        maxIterations: 1000
    )

    // One task; with scalingFactor .kilo each sample runs 1,000 calls and the figures are per call.
    Benchmark("token() hit, one task", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let cache = await warmCache()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            let token = try await cache.token()
            blackHole(token)
        }
        benchmark.stopMeasurement()
    }

    // 64 child tasks of a task group, each calling token() 1,000 times: every call hops onto
    // the actor, so the tasks queue behind each other. Figures per sample (64,000 calls).
    Benchmark("token() hit, 64 concurrent tasks × 1,000 calls") { benchmark in
        let cache = await warmCache()
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        for _ in 0..<1000 {
                            let token = try await cache.token()
                            blackHole(token)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        benchmark.stopMeasurement()
    }
}

let fixedToken = Secret("benchmark-access-token")

/// A cache holding a token valid for an hour.
func warmCache() async -> TokenCache {
    let cache = TokenCache(
        fetcher: { () async throws(KeycloakError) -> TokenCache.Fetched in
            TokenCache.Fetched(value: fixedToken, lifetime: .seconds(3600), requestedAt: .now)
        },
        onEvent: nil
    )
    let token = try! await cache.token()
    precondition(token.value == fixedToken)
    return cache
}
