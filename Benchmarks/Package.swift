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
    ],
    targets: [
        .target(name: "BenchSupport"),
        bench("echo-bench", []),
        bench("tls-bench", ["HTTPCoreTLS"]),
        bench("h2-bench", ["HTTPCoreHTTP2", "HTTPCoreTLS"]),
        bench("pool-bench", ["HTTPCoreHTTP1", "HTTPCoreHTTP2", "HTTPCorePool", "HTTPCoreTLS"]),
    ]
)
