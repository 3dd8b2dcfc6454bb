// Our HTTP/2 client against a server scripts/bench-h2.sh started on 127.0.0.1. Each run
// measures one case and prints one `result key=value ...` line; the script puts it beside
// h2load and curl, measured against the same server in the same run.
//
// Usage: h2-bench requests <libuv|dispatch> URL COUNT STREAMS CA.pem BODY_BYTES
//          COUNT GETs over one connection, STREAMS in flight; every status must be 200
//          and every body BODY_BYTES long.
//        h2-bench download <libuv|dispatch> URL CA.pem BYTES
//          one GET read to the end; fails unless exactly BYTES arrive.
//
// https URLs run TLS (ALPN h2) and http URLs h2c by prior knowledge. Client work runs on
// the backend's loop thread (task-executor preference). CPU is getrusage for the process.
import BenchSupport
import Foundation
import HTTPCore
import HTTPCoreDispatch
import HTTPCoreHTTP2
import HTTPCoreLibUV
import HTTPCoreTLS

struct Target {
    let origin: Origin
    let path: String

    init(_ url: String) {
        let origin = Origin(url)!
        let afterScheme = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        self.origin = origin
        path = afterScheme.count > 3 ? "/" + afterScheme[3] : "/"
    }
}

func connect(_ backend: any NetworkBackend, _ target: Target, ca: String) async throws -> HTTP2Connection {
    let tcp = try await backend.connectTCP(host: "127.0.0.1", port: target.origin.port, options: ConnectOptions())
    var stream: any NetworkStream = tcp
    if target.origin.scheme == "https" {
        let context = try TLSContext(.client(trustRoots: [.file(ca)], applicationProtocols: ["h2"]))
        stream = try await TLSStream.connect(over: tcp, host: target.origin.host, port: target.origin.port, context: context, clock: backend.clock)
    }
    var configuration = HTTP2Connection.Configuration()
    // H2BENCH_STREAM_WINDOW_KIB: try other receive windows (the default is the library's).
    if let kib = ProcessInfo.processInfo.environment["H2BENCH_STREAM_WINDOW_KIB"].flatMap(Int32.init) {
        configuration.streamWindow = kib * 1024
        configuration.connectionWindow = max(configuration.connectionWindow, kib * 1024 * 4)
    }
    return try await HTTP2Connection.start(over: stream, origin: target.origin, clock: backend.clock, configuration: configuration)
}

@concurrent func requests(_ backend: any NetworkBackend, _ target: Target, count: Int, streams: Int, ca: String, bodyBytes: Int) async throws -> String {
    let connection = try await connect(backend, target, ca: ca)
    let url = "\(target.origin)\(target.path)"
    return try await withTaskExecutorPreference(connection.preferredTaskExecutor) {
        // Warm up: the first requests pay for HPACK tables and lazy allocations.
        for _ in 0..<100 { _ = try await connection.send(try Request(url: url)).body.collect(upTo: 1 << 20) }
        let cpu = cpuSeconds()
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            var started = 0
            func add() {
                group.addTask(executorPreference: connection.preferredTaskExecutor) {
                    let response = try await connection.send(try Request(url: url))
                    let body = try await response.body.collect(upTo: 1 << 20)
                    guard response.status == .ok, body.count == bodyBytes else {
                        fatalError("status \(response.status), \(body.count) bytes (want \(bodyBytes))")
                    }
                }
                started += 1
            }
            while started < min(streams, count) { add() }
            while try await group.next() != nil { if started < count { add() } }
        }
        let wall = (ContinuousClock.now - start).seconds
        let used = cpuSeconds() - cpu
        await connection.close()
        return String(format: "result requests=%d wall=%.3f cpu=%.3f cpu_us_per_req=%.2f req_per_s=%.0f", count, wall, used, used / Double(count) * 1e6, Double(count) / wall)
    }
}

@concurrent func download(_ backend: any NetworkBackend, _ target: Target, ca: String, bytes: Int) async throws -> String {
    let connection = try await connect(backend, target, ca: ca)
    let url = "\(target.origin)\(target.path)"
    return try await withTaskExecutorPreference(connection.preferredTaskExecutor) {
        let cpu = cpuSeconds()
        let start = ContinuousClock.now
        let response = try await connection.send(try Request(url: url))
        var received = 0
        for try await chunk in response.body { received += chunk.count }
        let wall = (ContinuousClock.now - start).seconds
        let used = cpuSeconds() - cpu
        guard received == bytes else { fatalError("received \(received) bytes, want \(bytes)") }
        await connection.close()
        return String(format: "result bytes=%d wall=%.3f cpu=%.3f mb_per_s=%.1f", received, wall, used, Double(received) / wall / 1e6)
    }
}

let arguments = CommandLine.arguments
guard arguments.count >= 6 else {
    print("usage: h2-bench requests <libuv|dispatch> URL COUNT STREAMS CA.pem BODY_BYTES | download <libuv|dispatch> URL CA.pem BYTES")
    exit(2)
}
let backend: any NetworkBackend = arguments[2] == "libuv" ? LibUVBackend(loopCount: 1) : DispatchBackend(queueCount: 1)
let target = Target(arguments[3])
let line: String
switch arguments[1] {
case "requests":
    line = try await requests(backend, target, count: Int(arguments[4])!, streams: Int(arguments[5])!, ca: arguments[6], bodyBytes: Int(arguments[7])!)
case "download":
    line = try await download(backend, target, ca: arguments[4], bytes: Int(arguments[5])!)
default:
    fatalError("unknown mode \(arguments[1])")
}
print(line)
if let backend = backend as? LibUVBackend { await backend.shutdown() }
