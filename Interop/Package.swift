// swift-tools-version: 6.0
import PackageDescription

// Its own package, like Benchmarks/: the harness needs Foundation (its JSON manifest) and
// libcrypto (SHA-256), neither of which the library should carry.
let package = Package(
    name: "httpcore-interop",
    dependencies: [
        .package(name: "swift-httpcore", path: ".."),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // SHA-256 from OpenSSL's libcrypto: hashing 32 MiB in a debug build stays fast.
        .systemLibrary(name: "CLibCrypto", path: "Sources/CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .executableTarget(
            name: "interop-check",
            dependencies: ["CLibCrypto", .product(name: "HTTPTypes", package: "swift-http-types")] + ["HTTPCore", "HTTPCoreDecoding", "HTTPCorePool", "HTTPCoreTLS", "HTTPCoreLibUV", "HTTPCoreDispatch"].map {
                .product(name: $0, package: "swift-httpcore")
            },
            swiftSettings: [
                .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
                .enableUpcomingFeature("InternalImportsByDefault"),
            ]
        ),
    ]
)
