// swift-tools-version: 6.0
import PackageDescription

/// A benchmark executable using the given library products of the root package, on the
/// libuv and Dispatch backends.
func bench(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["BenchSupport"] + (["HTTPCore", "HTTPCoreLibUV", "HTTPCoreDispatch"] + products).map {
            .product(name: $0, package: "swift-httpcore")
        },
        swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
    )
}

// Its own package, so whatever benchmarks pull in (peers' client libraries) never reaches
// the library's dependency graph.
let package = Package(
    name: "httpcore-benchmarks",
    dependencies: [
        .package(name: "swift-httpcore", path: ".."),
        // Peers measured beside this project (ahc-bench); never a dependency of the library.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .target(name: "BenchSupport"),
        bench("echo-bench", []),
        bench("tls-bench", ["HTTPCoreTLS"]),
        bench("h2-bench", ["HTTPCoreHTTP2", "HTTPCoreTLS"]),
        bench("pool-bench", ["HTTPCoreHTTP1", "HTTPCoreHTTP2", "HTTPCorePool", "HTTPCoreTLS"]),
        bench("pool-matrix", ["HTTPCorePool"]),
        // HTTPClient beside the bare pool, one mode per process (scripts/bench-client.sh).
        bench("client-matrix", ["HTTPCorePool", "HTTPCoreClient"]),
        .executableTarget(
            name: "ahc-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
    ]
)
