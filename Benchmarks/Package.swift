// swift-tools-version: 6.0
import PackageDescription

// Its own package, so whatever benchmarks pull in (peers' client libraries) never reaches
// the library's dependency graph.
let package = Package(
    name: "httpcore-benchmarks",
    dependencies: [
        .package(name: "swift-httpcore", path: ".."),
    ],
    targets: [
        .target(name: "BenchSupport"),
        .executableTarget(
            name: "echo-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "HTTPCore", package: "swift-httpcore"),
                .product(name: "HTTPCoreLibUV", package: "swift-httpcore"),
                .product(name: "HTTPCoreDispatch", package: "swift-httpcore"),
            ],
            swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
        .executableTarget(
            name: "tls-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "HTTPCore", package: "swift-httpcore"),
                .product(name: "HTTPCoreTLS", package: "swift-httpcore"),
                .product(name: "HTTPCoreLibUV", package: "swift-httpcore"),
                .product(name: "HTTPCoreDispatch", package: "swift-httpcore"),
            ],
            swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
        .executableTarget(
            name: "h2-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "HTTPCore", package: "swift-httpcore"),
                .product(name: "HTTPCoreHTTP2", package: "swift-httpcore"),
                .product(name: "HTTPCoreTLS", package: "swift-httpcore"),
                .product(name: "HTTPCoreLibUV", package: "swift-httpcore"),
                .product(name: "HTTPCoreDispatch", package: "swift-httpcore"),
            ],
            swiftSettings: [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]
        ),
    ]
)
