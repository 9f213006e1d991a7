// swift-tools-version:6.1
// Benchmarks live in their own package so that `swift test` in the root never builds them.
// Run: cd Benchmarks && swift package benchmark   (see docs/benchmarks.md)
import PackageDescription

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
    ],
    targets: [
        .target(name: "BenchmarkSupport", path: "Support"),
        .executableTarget(
            name: "ConfigLoading",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ProxyCore", package: "keycloak-mcp-proxy"),
            ],
            path: "ConfigLoading",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "PolicyDecision",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ProxyCore", package: "keycloak-mcp-proxy"),
            ],
            path: "PolicyDecision",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ToolDispatch",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ProxyCore", package: "keycloak-mcp-proxy"),
                .product(name: "ProxyServer", package: "keycloak-mcp-proxy"),
            ],
            path: "ToolDispatch",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "TokenCacheHit",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "KeycloakAdmin", package: "keycloak-mcp-proxy"),
            ],
            path: "TokenCacheHit",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A plain driver for profilers: `swift run -c release config-load-profile 50`.
        .executableTarget(
            name: "config-load-profile",
            dependencies: ["BenchmarkSupport", .product(name: "ProxyCore", package: "keycloak-mcp-proxy")],
            path: "Profile"
        ),
        // The HTTP stack without the proxy, for the e2e floor row: `swift build -c release --product e2e-floor`.
        .executableTarget(
            name: "e2e-floor",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Floor"
        ),
        // The generated config as a file, for whole-process runs: `swift run -c release generate-config 1000`.
        .executableTarget(name: "generate-config", dependencies: ["BenchmarkSupport"], path: "GenerateConfig"),
    ],
    swiftLanguageModes: [.v6]
)
