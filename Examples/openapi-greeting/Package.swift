// swift-tools-version: 6.0
import PackageDescription

// swift-openapi-generator's build plugin writes a typed client and server from
// openapi.yaml, and HTTPCoreOpenAPI's transports carry them over HTTPServer and
// HTTPClient. A package of its own, so the library never builds the generator (OpenAPIKit,
// Yams); scripts/openapi-example.sh builds and runs it.
let package = Package(
    name: "openapi-greeting",
    dependencies: [
        .package(name: "swift-httpcore", path: "../.."),
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        // Imported by the generated code; already in the graph through the library.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .executableTarget(
            name: "openapi-greeting",
            dependencies: [
                .product(name: "HTTPCoreOpenAPI", package: "swift-httpcore"),
                .product(name: "HTTPCoreClient", package: "swift-httpcore"),
                .product(name: "HTTPCoreServer", package: "swift-httpcore"),
                .product(name: "HTTPCoreLibUV", package: "swift-httpcore"),
                .product(name: "HTTPCore", package: "swift-httpcore"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
    ]
)
