// HTTPClient beside the bare pool (issue 13, "Measure"), run by scripts/bench-client.sh:
// the same matrix cell (BenchSupport/MatrixCase) either through `ConnectionPool.send` with
// the body collected, or through `HTTPClient.get`/`post` (which collects it too), one mode
// per process. The process warms up first (connections, TLS, caches), then measures a
// window of COUNT requests: CPU (getrusage, every thread of the process) and, when
// Benchmarks/AllocCounter/alloc-counter.c is preloaded, heap allocations.
//
// Usage: client-matrix MODE WARMUP get|post ... (MatrixCase.usage) <libuv|dispatch>
//        client-matrix selftest
//   pool             `Request(url:)` (as pool-matrix builds it) + `pool.send` + `body.collect(upTo:)`
//   client           `HTTPClient.get(url)` with `Configuration.headers = []`: the same
//                    request on the wire as `pool` (no User-Agent or Accept field)
//   client-defaults  `HTTPClient.get(url)` with the default configuration's fields
//                    (User-Agent, Accept): what a client made with defaults sends
//   selftest         checks that the preloaded counter counts known allocations exactly
//
// Prints the `ok requests=...` line of the measured window (as pool-matrix does), then
//   window requests=N user_us=U sys_us=S wall_us=W allocs=A|- connections=C served=R
// where `served` is the requests the pool's current connections took, warm-up included
// (equal to WARMUP + COUNT unless a connection was replaced during the run).
import BenchSupport
import HTTPCore
import HTTPCoreClient
import HTTPCoreDispatch
import HTTPCoreLibUV
import HTTPCorePool
#if canImport(Glibc)
import Glibc
#endif

enum Mode: String {
    case pool, client, clientDefaults = "client-defaults"
}

/// The preloaded allocation counter (alloc-counter.so), nil when it is not loaded.
let allocationCount: (@convention(c) () -> UInt)? = {
    guard let symbol = dlsym(nil, "alloc_counter_total") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) () -> UInt).self)
}()

/// The tracing counter's switch (alloc-counter.c built with -DALLOC_COUNTER_TRACE, as
/// scripts/alloc-sources.sh does): on for the measured window only.
let allocationTrace: (@convention(c) (Int32) -> Void)? = {
    guard let symbol = dlsym(nil, "alloc_counter_trace") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Void).self)
}()

/// One request of the cell and its checked result.
protocol Requester: Sendable {
    func one() async throws -> (status: Int, bodyBytes: Int)
}

/// What pool-matrix does per request, with the body collected as HTTPClient collects it.
struct PoolRequester: Requester {
    let pool: ConnectionPool
    let cell: MatrixCase
    let upload: [UInt8]
    static let limit = HTTPClient.Configuration().maxBufferedBodySize

    func one() async throws -> (status: Int, bodyBytes: Int) {
        let request = cell.method == .post
            ? try Request(method: "POST", url: cell.url, body: .bytes(upload))
            : try Request(url: cell.url)
        let response = try await pool.send(request)
        let body = try await response.body.collect(upTo: PoolRequester.limit)
        return (response.status.code, body.count)
    }
}

struct ClientRequester: Requester {
    let client: HTTPClient
    let cell: MatrixCase
    let upload: [UInt8]

    func one() async throws -> (status: Int, bodyBytes: Int) {
        let response = cell.method == .post
            ? try await client.post(cell.url, body: .bytes(upload))
            : try await client.get(cell.url)
        return (response.statusCode, response.body.count)
    }
}

/// `count` requests with `cell.inFlight` workers on the backend's loop, as pool-matrix
/// runs them; every response is checked.
func run(_ requester: some Requester, count: Int, cell: MatrixCase, executor: (any TaskExecutor)?) async throws -> RequestCounter {
    let counter = RequestCounter(limit: count)
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<min(count, cell.inFlight) {
            group.addTask(executorPreference: executor) {
                while counter.take() {
                    let (status, bodyBytes) = try await requester.one()
                    cell.check(status: status, bodyBytes: bodyBytes)
                    counter.record(bodyBytes: bodyBytes)
                }
            }
        }
        try await group.waitForAll()
    }
    return counter
}

struct Sample {
    var user: Double
    var system: Double
    var allocations: UInt?
    var instant: ContinuousClock.Instant

    static func now() -> Sample {
        let allocations = allocationCount?()
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Sample(
            user: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            system: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
            allocations: allocations,
            instant: .now
        )
    }
}

/// Warm-up, then the measured window; prints the lines the script reads.
func measure(_ requester: some Requester, warmup: Int, cell: MatrixCase, executor: (any TaskExecutor)?, snapshot: () -> PoolSnapshot?) async throws {
    if warmup > 0 { _ = try await run(requester, count: warmup, cell: cell, executor: executor) }
    allocationTrace?(1)
    let start = Sample.now()
    let counter = try await run(requester, count: cell.count, cell: cell, executor: executor)
    let end = Sample.now()
    allocationTrace?(0)
    let connections = snapshot()?.origins.flatMap(\.connections) ?? []
    cell.report(requests: counter.completed, bodyBytes: counter.bodyBytes)
    let allocations = end.allocations.map { String($0 - start.allocations!) } ?? "-"
    print(
        "window requests=\(counter.completed) user_us=\(Int(((end.user - start.user) * 1e6).rounded()))"
            + " sys_us=\(Int(((end.system - start.system) * 1e6).rounded()))"
            + " wall_us=\(Int((start.instant.duration(to: end.instant).seconds * 1e6).rounded()))"
            + " allocs=\(allocations) connections=\(connections.count) served=\(connections.reduce(0) { $0 + $1.requestCount })"
    )
}

final class Box {
    var value: Int
    init(_ value: Int) { self.value = value }
}

/// Allocates known numbers of blocks through each counted call and through Swift objects,
/// and checks the counter saw exactly those.
func selfTest() -> Int32 {
    guard let allocationCount else {
        print("selftest: alloc_counter_total not found (is alloc-counter.so in LD_PRELOAD?)")
        return 1
    }
    let n = 10_000
    let blocks = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: n)
    var boxes: [Box] = []
    boxes.reserveCapacity(n)
    var failures = 0
    func check(_ name: String, expected: Int, _ body: () -> Void) {
        let before = allocationCount()
        body()
        let counted = Int(allocationCount() - before)
        print("selftest \(name): \(counted) counted, \(expected) made")
        if counted != expected { failures += 1 }
        for index in 0..<n where blocks[index] != nil { free(blocks[index]); blocks[index] = nil }
    }
    blocks.initialize(repeating: nil, count: n)
    check("malloc", expected: n) { for index in 0..<n { blocks[index] = malloc(16 + index % 64) } }
    check("calloc", expected: n) { for index in 0..<n { blocks[index] = calloc(1, 16 + index % 64) } }
    check("realloc", expected: 2 * n) {
        for index in 0..<n { blocks[index] = realloc(nil, 8) }
        for index in 0..<n { blocks[index] = realloc(blocks[index], 4096) }
    }
    check("posix_memalign", expected: n) { for index in 0..<n { _ = posix_memalign(&blocks[index], 64, 100) } }
    check("aligned_alloc", expected: n) { for index in 0..<n { blocks[index] = aligned_alloc(64, 128) } }
    check("swift objects", expected: n) { for index in 0..<n { boxes.append(Box(index)) } }
    check("nothing", expected: 0) { for index in 0..<n { boxes[index].value += 1 } }
    print(failures == 0 ? "selftest ok" : "selftest FAILED: \(failures) counts differ")
    return failures == 0 ? 0 : 1
}

let arguments = CommandLine.arguments
if arguments.count == 2, arguments[1] == "selftest" { exit(selfTest()) }
guard arguments.count > 3, let mode = Mode(rawValue: arguments[1]), let warmup = Int(arguments[2]), warmup >= 0,
      let cell = MatrixCase(arguments.dropFirst(3).dropLast()), let choice = arguments.last, choice == "libuv" || choice == "dispatch"
else {
    print("usage: client-matrix pool|client|client-defaults WARMUP \(MatrixCase.usage) <libuv|dispatch>\n       client-matrix selftest")
    exit(2)
}
let backend: any NetworkBackend = choice == "libuv" ? LibUVBackend(loopCount: 1) : DispatchBackend(queueCount: 1)
let executor = ((backend as? LibUVBackend)?.taskExecutors ?? (backend as? DispatchBackend)?.taskExecutors ?? []).first

do {
    switch mode {
    case .pool:
        var configuration = ConnectionPool.Configuration()
        configuration.tls = .client(trustRoots: [.file(cell.ca)])
        configuration.http1 = cell.wire == .h1
        configuration.http2 = cell.wire != .h1
        configuration.maxConnections = cell.connections
        configuration.maxKeepaliveConnections = cell.connections
        configuration.maxHTTP2ConnectionsPerOrigin = cell.connections
        let pool = try ConnectionPool(backend: backend, configuration: configuration)
        try await measure(PoolRequester(pool: pool, cell: cell, upload: cell.uploadBody), warmup: warmup, cell: cell, executor: executor) { pool.snapshot }
        await pool.shutdown()
    case .client, .clientDefaults:
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        configuration.tls = .client(trustRoots: [.file(cell.ca)])
        configuration.http1 = cell.wire == .h1
        configuration.http2 = cell.wire != .h1
        configuration.maxConnections = cell.connections
        configuration.maxKeepaliveConnections = cell.connections
        configuration.pool.maxHTTP2ConnectionsPerOrigin = cell.connections
        if mode == .client {
            configuration.headers = []
            configuration.decoding = nil  // no Accept-Encoding: the pool's request, byte for byte
        }
        let client = try HTTPClient(configuration: configuration)
        try await measure(ClientRequester(client: client, cell: cell, upload: cell.uploadBody), warmup: warmup, cell: cell, executor: executor) { client.snapshot }
        await client.shutdown()
    }
} catch {
    cell.fail("\(error)")
}
if let backend = backend as? LibUVBackend { await backend.shutdown() }
