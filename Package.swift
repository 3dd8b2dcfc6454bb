// swift-tools-version: 6.0
import PackageDescription

/// Every target opts into the same settings: Swift 6 mode comes from the tools version,
/// and `NonisolatedNonsendingByDefault` keeps nonisolated async calls on the caller's
/// executor (see ../shared/PLATFORM-NOTES.md: without it a write can leave an actor
/// before enqueueing and reorder TLS records).
let settings: [SwiftSetting] = [
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let httpTypes: Target.Dependency = .product(name: "HTTPTypes", package: "swift-http-types")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let serviceLifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")

let package = Package(
    name: "swift-httpcore",
    products: [
        .library(name: "HTTPCore", targets: ["HTTPCore"]),
        .library(name: "HTTPCoreHTTP1", targets: ["HTTPCoreHTTP1"]),
        .library(name: "HTTPCoreHTTP2", targets: ["HTTPCoreHTTP2"]),
        .library(name: "HTTPCorePool", targets: ["HTTPCorePool"]),
        .library(name: "HTTPCoreClient", targets: ["HTTPCoreClient"]),
        .library(name: "HTTPCoreServer", targets: ["HTTPCoreServer"]),
        .library(name: "HTTPCoreDecoding", targets: ["HTTPCoreDecoding"]),
        .library(name: "HTTPCoreTLS", targets: ["HTTPCoreTLS"]),
        .library(name: "HTTPCoreMock", targets: ["HTTPCoreMock"]),
        .library(name: "HTTPCoreLibUV", targets: ["HTTPCoreLibUV"]),
        .library(name: "HTTPCoreDispatch", targets: ["HTTPCoreDispatch"]),
        .library(name: "HTTPCoreLogging", targets: ["HTTPCoreLogging"]),
        .library(name: "HTTPCoreServiceLifecycle", targets: ["HTTPCoreServiceLifecycle"]),
        .library(name: "HTTPCoreBackendConformance", targets: ["HTTPCoreBackendConformance"]),
        .library(name: "HTTPCoreOpenAPI", targets: ["HTTPCoreOpenAPI"]),
        .library(name: "HTTPCoreMetrics", targets: ["HTTPCoreMetrics"]),
        .library(name: "HTTPCoreTracing", targets: ["HTTPCoreTracing"]),
        .executable(name: "hx", targets: ["hx"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // swift-log: the client logs through it, and HTTPCoreLogging turns the typed events
        // of the layers below (which never import it) into records.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Only for the hx executable: no library product depends on it.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Only for HTTPCoreServiceLifecycle (and its demo and tests).
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Only for HTTPCoreOpenAPI (the transports for swift-openapi-generator's code).
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        // Only for the HTTPCoreMetrics and HTTPCoreTracing integrations (and their tests;
        // swift-w3c-trace-context is the tests' traceparent format only).
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context", from: "1.0.0"),
    ],
    targets: [
        // Seams and models: no C import, no I/O of its own.
        .target(name: "HTTPCore", dependencies: [httpTypes], swiftSettings: settings),
        .target(name: "HTTPCoreHTTP1", dependencies: ["HTTPCore", httpTypes], swiftSettings: settings),

        // HTTP/2 on libnghttp2; only NGHTTP2Session.swift calls into CNGHTTP2.
        .systemLibrary(name: "CNGHTTP2", path: "Sources/CNGHTTP2", pkgConfig: "libnghttp2", providers: [.apt(["libnghttp2-dev"])]),
        .target(name: "HTTPCoreHTTP2", dependencies: ["HTTPCore", "CNGHTTP2", httpTypes], swiftSettings: settings),

        // TLS as a layer over any NetworkStream. COpenSSL wraps the OpenSSL names that do
        // not import into Swift (macros over *_ctrl); only OpenSSL.swift calls into it.
        .target(
            name: "COpenSSL",
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]
        ),
        .target(name: "HTTPCoreTLS", dependencies: ["HTTPCore", "COpenSSL"], swiftSettings: settings),

        // The pool: negotiation (TCP -> TLS -> ALPN), reuse, limits.
        .target(name: "HTTPCorePool", dependencies: ["HTTPCore", "HTTPCoreHTTP1", "HTTPCoreHTTP2", "HTTPCoreTLS", httpTypes], swiftSettings: settings),

        // The server: HTTP/1.1 and HTTP/2 over any backend, TLS with ALPN or h2c by prior
        // knowledge, aioh2's connection API and a request/response one. Never imports the
        // pool, and the pool never imports it.
        .target(name: "HTTPCoreServer", dependencies: ["HTTPCore", "HTTPCoreHTTP1", "HTTPCoreHTTP2", "HTTPCoreTLS", httpTypes], swiftSettings: settings),

        // Content decoding (gzip, deflate, br, zstd) as a streaming body source, with size
        // and ratio limits. One C module per library; one Swift file calls each.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBrotliDecoder", path: "Sources/CBrotliDecoder", pkgConfig: "libbrotlidec", providers: [.apt(["libbrotli-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .target(
            name: "HTTPCoreDecoding",
            dependencies: ["HTTPCore", "CZlib", "CBrotliDecoder", "CZstd", httpTypes],
            swiftSettings: settings
        ),

        // The httpx-style client: bodies, buffered and streamed responses, mounts, one
        // deadline. The one library module that picks a backend (libuv) as its default.
        .target(
            name: "HTTPCoreClient",
            dependencies: ["HTTPCore", "HTTPCorePool", "HTTPCoreTLS", "HTTPCoreLibUV", "HTTPCoreDecoding", httpTypes, logging],
            swiftSettings: settings
        ),

        // Integrations (issue 19): each its own small target, so the core modules never
        // import them. Logging turns the typed events (pool events, HTTP/2 frames, request
        // traces) into swift-log records.
        .target(
            name: "HTTPCoreLogging",
            dependencies: ["HTTPCore", "HTTPCoreHTTP2", "HTTPCorePool", "HTTPCoreClient", "HTTPCoreServer", httpTypes, logging],
            swiftSettings: settings
        ),

        // swift-openapi-runtime's ClientTransport over HTTPClient and ServerTransport over
        // HTTPServer: an integration of its own, so neither the client nor the server
        // depends on the OpenAPI runtime.
        .target(
            name: "HTTPCoreOpenAPI",
            dependencies: [
                "HTTPCore", "HTTPCoreClient", "HTTPCoreServer", httpTypes,
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            swiftSettings: settings
        ),
        // Integrations, each its own product so the core modules gain no dependency:
        // swift-metrics from the client's trace events, the pool's events and snapshots
        // and the server's events; swift-distributed-tracing spans for the client (an
        // observer injecting the context) and the server (a handler wrapper extracting it).
        .target(
            name: "HTTPCoreMetrics",
            dependencies: [
                "HTTPCore", "HTTPCorePool", "HTTPCoreClient", "HTTPCoreServer", httpTypes,
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: settings
        ),
        .target(
            name: "HTTPCoreTracing",
            dependencies: [
                "HTTPCore", "HTTPCoreClient", "HTTPCoreServer", httpTypes,
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
            ],
            swiftSettings: settings
        ),

        // Backends: each imports only HTTPCore (and, later, its own C module).
        .target(name: "HTTPCoreMock", dependencies: ["HTTPCore"], path: "Backends/Mock", swiftSettings: settings),
        .systemLibrary(name: "CLibUV", path: "Backends/LibUV/CLibUV", pkgConfig: "libuv", providers: [.apt(["libuv1-dev"])]),
        .target(name: "HTTPCoreLibUV", dependencies: ["HTTPCore", "CLibUV"], path: "Backends/LibUV/HTTPCoreLibUV", swiftSettings: settings),
        .target(name: "HTTPCoreDispatch", dependencies: ["HTTPCore"], path: "Backends/Dispatch", swiftSettings: settings),
        // The NetworkBackend seam's contract as checks any backend's tests can call (the
        // project's backends run them in HTTPCoreBackendTests). HTTPCore only: a plain
        // throwing API, so a third party needs no test framework of ours.
        .target(name: "HTTPCoreBackendConformance", dependencies: ["HTTPCore"], swiftSettings: settings),

        // swift-service-lifecycle: HTTPServer and HTTPClient as `Service`s. Its own target, so
        // the server and client modules never depend on ServiceLifecycle.
        .target(
            name: "HTTPCoreServiceLifecycle",
            dependencies: ["HTTPCoreServer", "HTTPCoreClient", "HTTPCorePool", serviceLifecycle],
            swiftSettings: settings
        ),
        // A server in a ServiceGroup that drains on SIGTERM, started as a child process by
        // HTTPCoreServiceLifecycleTests to send it the real signal. Not a product.
        .executableTarget(
            name: "httpcore-lifecycle-demo",
            dependencies: ["HTTPCoreServiceLifecycle", "HTTPCore", "HTTPCoreServer", "HTTPCoreLibUV", httpTypes, logging, serviceLifecycle],
            swiftSettings: settings
        ),

        // The hx command-line client and file server: the commands (argument parsing, I/O)
        // in `hx`, the logic worth testing alone (bodies, exit codes, percentiles,
        // formatting, the file server's handler) in HXCore.
        .target(
            name: "HXCore",
            dependencies: ["HTTPCore", "HTTPCoreClient", "HTTPCorePool", "HTTPCoreServer", "HTTPCoreTLS", httpTypes],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "hx",
            dependencies: [
                "HXCore", "HTTPCore", "HTTPCoreClient", "HTTPCorePool", "HTTPCoreServer", "HTTPCoreTLS", "HTTPCoreLibUV", "HTTPCoreDispatch", httpTypes,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: settings
        ),

        // The allocation budget (issue 17): a fixed exchange over the mock backend, counted
        // with Benchmarks/AllocCounter preloaded, in release; scripts/alloc-budget.sh builds
        // and runs it, and the README's test command calls that. Not a product.
        .executableTarget(
            name: "allocation-budget",
            dependencies: ["HTTPCore", "HTTPCoreClient", "HTTPCorePool", "HTTPCoreMock"],
            swiftSettings: settings
        ),

        // The soak (issue 18): HTTPClient against HTTPServer in one process over loopback,
        // both protocols, with cancellations and faults, checking memory, descriptors and
        // leftovers; scripts/soak.sh builds it in release and runs it. Not a product.
        .executableTarget(
            name: "httpcore-soak",
            dependencies: [
                "HTTPCore", "HTTPCoreClient", "HTTPCorePool", "HTTPCoreServer", "HTTPCoreHTTP2", "HTTPCoreLibUV", "HTTPCoreDispatch", httpTypes,
            ],
            swiftSettings: settings
        ),
        // Fuzzing (issue 18): one file per target, each driving real project code and
        // trapping when an invariant breaks; `httpcore-fuzz` is the one libFuzzer binary for
        // all of them (scripts/fuzz.sh builds it with -DFUZZING), and a replay tool without.
        // `@testable` imports reach the internal state machines and parsers, so it builds in
        // debug only, as the tests do. Neither is a product.
        .target(
            name: "HTTPCoreFuzzTargets",
            dependencies: [
                "HTTPCore", "HTTPCoreHTTP1", "HTTPCoreHTTP2", "HTTPCorePool", "HTTPCoreClient", "HTTPCoreDecoding", "HTTPCoreMock", httpTypes,
            ],
            swiftSettings: settings
        ),
        .executableTarget(name: "httpcore-fuzz", dependencies: ["HTTPCoreFuzzTargets"], swiftSettings: settings),

        // Shared by the test targets: backend fixtures, peers on loopback (nginx, openssl
        // s_server, tinyproxy, microsocks, a canary origin), the test PKI, checksums.
        .target(
            name: "HTTPCoreTestSupport",
            dependencies: [
                "HTTPCore", "HTTPCoreHTTP2", "HTTPCoreTLS", "HTTPCoreMock", "HTTPCoreLibUV", "HTTPCoreDispatch", "HTTPCoreBackendConformance", logging,
            ],
            path: "Tests/HTTPCoreTestSupport",
            swiftSettings: settings
        ),
        .testTarget(name: "HTTPCoreTests", dependencies: ["HTTPCore", "HTTPCoreMock", httpTypes], swiftSettings: settings),
        .testTarget(name: "HTTPCoreMockTests", dependencies: ["HTTPCore", "HTTPCoreMock"], swiftSettings: settings),
        .testTarget(
            name: "HTTPCoreBackendTests",
            dependencies: ["HTTPCoreTestSupport", "HTTPCoreBackendConformance", "HTTPCore", "HTTPCoreHTTP1", "HTTPCoreMock", "HTTPCoreLibUV", "HTTPCoreDispatch", httpTypes],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HTTPCoreHTTP2Tests",
            dependencies: ["HTTPCoreTestSupport", "HTTPCore", "HTTPCoreHTTP2", "HTTPCoreTLS", "HTTPCoreMock", httpTypes],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HTTPCorePoolTests",
            dependencies: ["HTTPCoreTestSupport", "HTTPCore", "HTTPCoreHTTP1", "HTTPCorePool", "HTTPCoreTLS", "HTTPCoreMock", httpTypes],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HTTPCoreTLSTests",
            dependencies: ["HTTPCoreTestSupport", "HTTPCore", "HTTPCoreTLS", "HTTPCoreHTTP1", "HTTPCoreMock", "HTTPCoreLibUV", "HTTPCoreDispatch", httpTypes],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HXTests",
            dependencies: [
                "hx", "HXCore", "HTTPCoreTestSupport", "HTTPCore", "HTTPCoreClient", "HTTPCorePool", "HTTPCoreServer", "HTTPCoreTLS",
                "HTTPCoreMock", httpTypes,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HTTPCoreClientTests",
            dependencies: ["HTTPCoreTestSupport", "HTTPCore", "HTTPCoreClient", "HTTPCoreDecoding", "HTTPCorePool", "HTTPCoreTLS", "HTTPCoreMock", httpTypes, logging],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HTTPCoreDecodingTests",
            dependencies: ["HTTPCore", "HTTPCoreDecoding", httpTypes],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HTTPCoreServerTests",
            dependencies: [
                "HTTPCoreTestSupport", "HTTPCore", "HTTPCoreServer", "HTTPCoreHTTP2", "HTTPCoreHTTP1", "HTTPCorePool", "HTTPCoreTLS",
                "HTTPCoreMock", "HTTPCoreLibUV", "HTTPCoreDispatch", httpTypes,
            ],
            swiftSettings: settings
        ),
        .testTarget(name: "HTTPCoreFuzzTests", dependencies: ["HTTPCoreFuzzTargets", "HTTPCoreTestSupport"], swiftSettings: settings),
        // Network faults (issue 18) in network namespaces the tests make: peers killed,
        // reset, blackholed, on slow links, that stop reading; client and server side.
        .testTarget(
            name: "HTTPCoreFaultTests",
            dependencies: [
                "HTTPCoreTestSupport", "HTTPCore", "HTTPCorePool", "HTTPCoreClient", "HTTPCoreServer", "HTTPCoreLibUV", "HTTPCoreDispatch",
                "HTTPCoreHTTP1", "HTTPCoreHTTP2", "HTTPCoreTLS", httpTypes,
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HTTPCoreLoggingTests",
            dependencies: [
                "HTTPCoreTestSupport", "HTTPCore", "HTTPCoreLogging", "HTTPCorePool", "HTTPCoreClient", "HTTPCoreHTTP2", "HTTPCoreServer",
                "HTTPCoreMock", "HTTPCoreLibUV", httpTypes, logging,
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HTTPCoreMetricsTests",
            dependencies: [
                "HTTPCoreMetrics", "HTTPCoreTestSupport", "HTTPCore", "HTTPCoreClient", "HTTPCorePool", "HTTPCoreServer", "HTTPCoreMock", httpTypes,
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HTTPCoreServiceLifecycleTests",
            dependencies: [
                "HTTPCoreServiceLifecycle", "HTTPCoreTestSupport", "HTTPCore", "HTTPCoreServer", "HTTPCoreClient",
                "HTTPCoreLibUV", httpTypes, logging, serviceLifecycle,
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HTTPCoreTracingTests",
            dependencies: [
                "HTTPCoreTracing", "HTTPCoreTestSupport", "HTTPCore", "HTTPCoreClient", "HTTPCoreServer", "HTTPCoreMock", httpTypes,
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HTTPCoreHTTP1Tests",
            dependencies: ["HTTPCoreTestSupport", "HTTPCore", "HTTPCoreHTTP1", "HTTPCoreMock", httpTypes],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HTTPCoreOpenAPITests",
            dependencies: [
                "HTTPCoreOpenAPI", "HTTPCoreTestSupport", "HTTPCore", "HTTPCoreClient", "HTTPCoreServer", "HTTPCoreLibUV", httpTypes,
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            swiftSettings: settings
        ),
    ]
)
