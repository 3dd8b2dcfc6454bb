// swift-tools-version: 6.0
import PackageDescription

// The seed programs as executables: what a user of the library writes first. Its own
// package, like Benchmarks/ and Interop/, so it depends on the library the way a user's
// package does (by product) and nothing else: no argument parser, each program reads its
// few arguments by hand (ExampleSupport).
let settings: [SwiftSetting] = [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]

func library(_ name: String) -> Target.Dependency { .product(name: name, package: "swift-httpcore") }

let package = Package(
    name: "httpcore-examples",
    dependencies: [
        .package(name: "swift-httpcore", path: ".."),
        // Already in the graph through the library: named here for h2-streams and
        // aioh2-hello, which build `HTTPRequest` and `HTTPResponse` heads themselves.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .target(name: "ExampleSupport", dependencies: [library("HTTPCoreClient"), library("HTTPCoreTLS")], swiftSettings: settings),
        .executableTarget(name: "httpx-get-post", dependencies: ["ExampleSupport", library("HTTPCoreClient")], swiftSettings: settings),
        .executableTarget(name: "concurrent-gets", dependencies: ["ExampleSupport", library("HTTPCoreClient")], swiftSettings: settings),
        .executableTarget(name: "streaming-download", dependencies: ["ExampleSupport", library("HTTPCoreClient")], swiftSettings: settings),
        .executableTarget(
            name: "h2-streams",
            dependencies: [
                "ExampleSupport", library("HTTPCore"), library("HTTPCoreHTTP2"), library("HTTPCoreLibUV"), library("HTTPCoreTLS"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "aioh2-hello",
            dependencies: [
                "ExampleSupport", library("HTTPCore"), library("HTTPCoreHTTP2"), library("HTTPCoreLibUV"), library("HTTPCoreServer"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "mock-transport-test",
            dependencies: ["ExampleSupport", library("HTTPCore"), library("HTTPCoreClient"), library("HTTPCoreMock")],
            swiftSettings: settings
        ),
    ]
)
