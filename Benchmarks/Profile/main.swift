// Loads the 1,000-tenant config in a loop, for `perf record` and valgrind (docs/benchmarks.md).
import BenchmarkSupport
import ProxyCore

let bytes = generatedConfig(tenants: 1000)
let loader = ConfigLoader(environment: ["KC_SECRET": "benchmark-secret"])
let rounds = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 20 : 20
var tenants = 0
for _ in 0..<rounds {
    tenants += try loader.load(bytes: bytes, fileName: "config.yaml", directory: "/tmp").config.tenants.count
}
print("loaded \(rounds) times, \(tenants) tenants in all")
