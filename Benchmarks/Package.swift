// swift-tools-version:6.1
// Benchmarks live in their own package so that `swift test` in the root never builds them.
// Run: cd Benchmarks && swift package benchmark   (see docs/benchmarks.md)
import PackageDescription

/// A package-benchmark suite in the folder of its name, run by `swift package benchmark`.
func benchmark(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name,
        dependencies: dependencies + [.product(name: "Benchmark", package: "benchmark")],
        path: name,
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

/// A library of the proxy's own package.
func proxy(_ product: String) -> Target.Dependency {
    .product(name: product, package: "keycloak-mcp-proxy")
}

let package = Package(
    name: "Benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "keycloak-mcp-proxy", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Already in the graph through the root package; named here for `Logger` in ToolDispatch.
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(name: "BenchmarkSupport", path: "Support"),
        benchmark("ConfigLoading", ["BenchmarkSupport", proxy("ProxyCore")]),
        benchmark("PolicyDecision", ["BenchmarkSupport", proxy("ProxyCore")]),
        benchmark("ToolDispatch", [.product(name: "Logging", package: "swift-log"), proxy("ProxyCore"), proxy("ProxyServer")]),
        benchmark("TokenCacheHit", [proxy("KeycloakAdmin")]),
        // A plain driver for profilers: `swift run -c release config-load-profile 50`.
        .executableTarget(
            name: "config-load-profile",
            dependencies: ["BenchmarkSupport", proxy("ProxyCore")],
            path: "Profile"
        ),
        // The proxy's library stack (Hummingbird in, AsyncHTTPClient out) without the proxy, for
        // the e2e floor row: `swift build -c release --product e2e-floor`.
        .executableTarget(
            name: "e2e-floor",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Floor"
        ),
        // What a cancelled Task.sleep keeps, against Deadlines: `swift run -c release sleep-retention 200000 sleep`.
        .executableTarget(name: "sleep-retention", dependencies: [proxy("KeycloakAdmin")], path: "SleepRetention"),
        // The generated config as a file, for whole-process runs: `swift run -c release generate-config 1000`.
        .executableTarget(name: "generate-config", dependencies: ["BenchmarkSupport"], path: "GenerateConfig"),
    ],
    swiftLanguageModes: [.v6]
)
