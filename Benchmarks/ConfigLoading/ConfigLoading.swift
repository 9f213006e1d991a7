import Benchmark
import BenchmarkSupport
import ProxyCore


let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 2,
        maxDuration: .seconds(10),
        maxIterations: 50
    )

    let bytes = generatedConfig(tenants: 1000)
    let loader = ConfigLoader(environment: ["KC_SECRET": "benchmark-secret"])

    Benchmark("Load and validate a 1,000-tenant config (\(bytes.count / 1024) KiB)") { benchmark in
        for _ in benchmark.scaledIterations {
            let loaded = try loader.load(bytes: bytes, fileName: "config.yaml", directory: "/tmp")
            precondition(loaded.config.tenants.count == 1000)
            blackHole(loaded)
        }
    }
}
