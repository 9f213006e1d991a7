// Prints the generated config of N tenants (default 1,000) on standard output, for the
// whole-process benchmarks (e2e/startup.sh): `swift run -c release generate-config 1000`.
// startup.sh compiles this file together with Support/GeneratedConfig.swift with swiftc,
// so it does not need the package (and its dependencies) built.
#if canImport(BenchmarkSupport)
import BenchmarkSupport
#endif

let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1000 : 1000
print(String(decoding: generatedConfig(tenants: count), as: UTF8.self), terminator: "")
