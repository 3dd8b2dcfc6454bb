// The pool against a server scripts/bench-pool.sh started on 127.0.0.1, beside the same
// work on bare connections (the pool's overhead), in one process run per case. Prints
// one `result key=value ...` line.
//
// Usage: pool-bench requests <libuv|dispatch> <pool|bare> URL COUNT CONNECTIONS STREAMS CA.pem BODY_BYTES
//          COUNT GETs; http:// with STREAMS=1 is HTTP/1.1 over CONNECTIONS connections,
//          http:// with STREAMS>1 is h2c and https:// is h2 (TLS), over one connection
//          with STREAMS in flight. Every status must be 200 and every body BODY_BYTES.
//        pool-bench idle-memory <libuv|dispatch> <h1|h2> URL COUNT CA.pem
//          opens COUNT connections of that protocol (over TLS for https://), each after
//          one request, and leaves them idle: resident memory per idle connection.
//
// Client tasks prefer the backend's loop thread, as an application on this library
// would; CPU is getrusage for the process, measured after 100 warm-up requests.
import BenchSupport
import Foundation
import HTTPCore
import HTTPCoreDispatch
import HTTPCoreHTTP1
import HTTPCoreHTTP2
import HTTPCoreLibUV
import HTTPCorePool
import HTTPCoreTLS

struct Case {
    let url: String
    let origin: Origin
    let connections: Int
    let streams: Int
    let ca: String
    let http2: Bool

    var poolConfiguration: ConnectionPool.Configuration {
        var configuration = ConnectionPool.Configuration()
        configuration.tls = .client(trustRoots: [.file(ca)])
        configuration.http1 = !http2
        configuration.http2 = http2
        configuration.maxConnections = connections
        configuration.maxKeepaliveConnections = connections
        configuration.maxHTTP2ConnectionsPerOrigin = 1
        return configuration
    }

    /// One bare connection, negotiated as the pool would.
    func connect(_ backend: any NetworkBackend) async throws -> any Connection {
        let tcp = try await backend.connectTCP(host: origin.host, port: origin.port, options: ConnectOptions(socketOptions: [.noDelay]))
        var stream: any NetworkStream = tcp
        if origin.scheme == "https" {
            let context = try TLSContext(.client(trustRoots: [.file(ca)], applicationProtocols: [http2 ? "h2" : "http/1.1"]))
            stream = try await TLSStream.connect(over: tcp, host: origin.host, port: origin.port, context: context, clock: backend.clock)
        }
        if http2 { return try await HTTP2Connection.start(over: stream, origin: origin, clock: backend.clock) }
        return HTTP1Connection(stream: stream, origin: origin, clock: backend.clock)
    }
}

func get(_ interface: any RequestInterface, _ url: String, bodyBytes: Int) async throws {
    let response = try await interface.send(try Request(url: url))
    let body = try await response.body.collect(upTo: 1 << 20)
    guard response.status == .ok, body.count == bodyBytes else {
        fatalError("status \(response.status), \(body.count) bytes (want \(bodyBytes))")
    }
}

/// Runs `count` GETs, `inFlight` at once: a sliding window over one shared interface
/// (the pool, an HTTP/2 connection), or one worker per HTTP/1.1 connection taking the
/// next request when its last ends.
func run(count: Int, on interfaces: [any RequestInterface], inFlight: Int, executor: (any TaskExecutor)?, url: String, bodyBytes: Int) async throws {
    let next = Counter()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for worker in 0..<inFlight {
            let interface = interfaces[worker % interfaces.count]
            group.addTask(executorPreference: executor) {
                while next.take() < count { try await get(interface, url, bodyBytes: bodyBytes) }
            }
        }
        try await group.waitForAll()
    }
}

/// Hands out request numbers to the workers.
final class Counter: @unchecked Sendable {
    // @unchecked: `value` is read and written only under `lock`.
    private let lock = NSLock()
    private var value = 0

    func take() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}

@concurrent func requests(_ backend: any NetworkBackend, viaPool: Bool, _ bench: Case, count: Int, bodyBytes: Int) async throws -> String {
    // The loop's executor, from a throwaway connection (one loop: every stream shares it).
    let probe = try await backend.connectTCP(host: bench.origin.host, port: bench.origin.port, options: ConnectOptions())
    let executor = probe.preferredTaskExecutor
    await probe.close(.graceful)
    let inFlight = bench.http2 ? bench.streams : bench.connections
    let interfaces: [any RequestInterface]
    var pool: ConnectionPool?
    if viaPool {
        pool = try ConnectionPool(backend: backend, configuration: bench.poolConfiguration)
        interfaces = [pool!]
    } else {
        var connections: [any Connection] = []
        for _ in 0..<(bench.http2 ? 1 : bench.connections) { connections.append(try await bench.connect(backend)) }
        interfaces = connections
    }
    // Warm-up: connections open, HPACK tables and lazy allocations settle.
    try await run(count: max(100, inFlight), on: interfaces, inFlight: inFlight, executor: executor, url: bench.url, bodyBytes: bodyBytes)
    let cpu = cpuSeconds()
    let start = ContinuousClock.now
    try await run(count: count, on: interfaces, inFlight: inFlight, executor: executor, url: bench.url, bodyBytes: bodyBytes)
    let wall = (ContinuousClock.now - start).seconds
    let used = cpuSeconds() - cpu
    let opened = pool?.snapshot.connections.count ?? interfaces.count
    await pool?.shutdown()
    for case let connection as any Connection in interfaces { await connection.close() }
    return String(
        format: "result requests=%d connections=%d wall=%.3f cpu=%.3f cpu_us_per_req=%.2f req_per_s=%.0f",
        count, opened, wall, used, used / Double(count) * 1e6, Double(count) / wall
    )
}

/// Resident set size in KiB (/proc/self/statm, pages of 4 KiB).
func residentKiB() -> Int {
    let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
    return (Int(statm.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 4
}

@concurrent func idleMemory(_ backend: any NetworkBackend, _ bench: Case, count: Int) async throws -> String {
    // One connection first, so one-time costs (TLS context, tables, loop buffers) are out.
    let first = try await bench.connect(backend)
    try await get(first, bench.url, bodyBytes: 100)
    let before = residentKiB()
    var connections: [any Connection] = [first]
    for _ in 1..<count {
        let connection = try await bench.connect(backend)
        try await get(connection, bench.url, bodyBytes: 100)
        connections.append(connection)
    }
    try await Task.sleep(for: .milliseconds(200))
    let after = residentKiB()
    let perConnection = Double(after - before) / Double(count - 1)
    for connection in connections { await connection.close() }
    return String(format: "result connections=%d rss_before_kib=%d rss_after_kib=%d kib_per_idle_connection=%.1f", count, before, after, perConnection)
}

let arguments = CommandLine.arguments
let usage = "usage: pool-bench requests <libuv|dispatch> <pool|bare> URL COUNT CONNECTIONS STREAMS CA.pem BODY_BYTES | idle-memory <libuv|dispatch> <h1|h2> URL COUNT CA.pem"
guard arguments.count >= 7 else {
    print(usage)
    exit(2)
}
let backend: any NetworkBackend = arguments[2] == "libuv" ? LibUVBackend(loopCount: 1) : DispatchBackend(queueCount: 1)
let line: String
switch arguments[1] {
case "requests" where arguments.count == 10:
    let origin = Origin(arguments[4])!
    let streams = Int(arguments[7])!
    let bench = Case(url: arguments[4], origin: origin, connections: Int(arguments[6])!, streams: streams, ca: arguments[8], http2: origin.scheme == "https" || streams > 1)
    line = try await requests(backend, viaPool: arguments[3] == "pool", bench, count: Int(arguments[5])!, bodyBytes: Int(arguments[9])!)
case "idle-memory":
    let h2 = arguments[3] == "h2"
    let bench = Case(url: arguments[4], origin: Origin(arguments[4])!, connections: 1, streams: h2 ? 100 : 1, ca: arguments[6], http2: h2)
    line = try await idleMemory(backend, bench, count: Int(arguments[5])!)
default:
    print(usage)
    exit(2)
}
print(line)
if let backend = backend as? LibUVBackend { await backend.shutdown() }
