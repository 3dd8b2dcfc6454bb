// Our TLS client against an `openssl s_server` that scripts/bench-tls.sh started on
// 127.0.0.1. Each run measures one case and prints one `result key=value ...` line, which
// the script sets beside the openssl and curl figures it measures in the same run.
//
// Usage: tls-bench handshake <libuv|dispatch> PORT CA.pem SECONDS <new|new-get|resumed-get>
//          new:          TCP connect, full TLS 1.3 handshake, close_notify, close
//          new-get:      the same plus `GET /` (HTTP/1.0) read to the end (s_server -www)
//          resumed-get:  new-get with session resumption (tickets come with the response)
//        tls-bench download <libuv|dispatch> PORT CA.pem PATH BYTES
//          GET PATH (s_server -WWW) and read until the server closes; fails unless exactly
//          BYTES of body arrived.
//        tls-bench upload <libuv|dispatch> PORT CA.pem BYTES
//          write BYTES (256 KiB writes) to s_server in its default mode (which prints what it
//          receives: run it with stdout to /dev/null), then close_notify and close.
//
// Client work runs on the backend's single loop thread (`withTaskExecutorPreference` inside
// `@concurrent` functions: called from top-level code, a nonsending function would run on
// the main actor, where the preference does not apply). `threads=` in the output counts the
// threads the client code was seen on: 1 means no hops. CPU time is getrusage (all threads).
import BenchSupport
import Foundation
import HTTPCore
import HTTPCoreDispatch
import HTTPCoreLibUV
import HTTPCoreTLS

func makeBackend(_ name: String) -> any NetworkBackend {
    name == "libuv" ? LibUVBackend(loopCount: 1) : DispatchBackend(queueCount: 1)
}

func context(ca: String, resumption: Bool) throws -> TLSContext {
    var configuration = TLSConfiguration.client(trustRoots: [.file(ca)])
    configuration.minimumVersion = .tls13
    configuration.sessionResumption = resumption
    return try TLSContext(configuration)
}

/// Reads to the end; s_server may close without close_notify, so a truncation counts as
/// the end too (the caller checks the byte count where it matters).
func readToEnd(_ stream: TLSStream, onBytes: ([UInt8]) -> Void = { _ in }) async throws -> (bytes: Int, closeNotify: Bool) {
    var total = 0
    do {
        while let bytes = try await stream.read(maxBytes: 256 * 1024) {
            total += bytes.count
            onBytes(bytes)
        }
        return (total, true)
    } catch let error as HTTPCoreError where error.code == .tlsTruncated {
        return (total, false)
    }
}

@concurrent func handshakes(backend: any NetworkBackend, port: Int, ca: String, seconds: Double, mode: String) async throws -> String {
    let context = try context(ca: ca, resumption: mode == "resumed-get")
    let request = Array("GET / HTTP/1.0\r\n\r\n".utf8)
    let clock = ContinuousClock()
    var phases: [Duration] = [.zero, .zero, .zero, .zero] // TCP connect, handshake, GET, close
    var count = 0
    var reused = 0
    var truncated = 0
    var threads = Set<UInt>()

    /// One connection; `first` is an already connected TCP stream to use instead of a new one.
    func once(over first: (any NetworkStream)? = nil) async throws {
        let t0 = clock.now
        let tcp = if let first { first } else { try await backend.connectTCP(host: "127.0.0.1", port: port, options: ConnectOptions()) }
        let t1 = clock.now
        threads.insert(UInt(pthread_self()))
        let tls = try await TLSStream.connect(over: tcp, host: "localhost", port: port, context: context)
        let t2 = clock.now
        threads.insert(UInt(pthread_self()))
        if mode != "new" {
            try await tls.write(request)
            let (bytes, closeNotify) = try await readToEnd(tls)
            guard bytes > 0 else { throw HTTPCoreError(.truncatedResponse, "empty response to GET /") }
            if !closeNotify { truncated += 1 }
        }
        let t3 = clock.now
        await tls.close(.graceful)
        let t4 = clock.now
        threads.insert(UInt(pthread_self()))
        phases[0] += t1 - t0
        phases[1] += t2 - t1
        phases[2] += t3 - t2
        phases[3] += t4 - t3
        count += 1
        if tls.sessionReused { reused += 1 }
    }

    // The first TCP connection tells which loop to run on; with one loop, every later
    // connection lands on it too. It also warms up (and, resumed, fills the session cache).
    let first = try await backend.connectTCP(host: "127.0.0.1", port: port, options: ConnectOptions())
    let executor = first.preferredTaskExecutor
    return try await withTaskExecutorPreference(executor) {
        try await once(over: first)
        (count, reused, truncated, phases, threads) = (0, 0, 0, [.zero, .zero, .zero, .zero], [])
        let cpuStart = cpuSeconds()
        let start = clock.now
        let end = start + .milliseconds(Int(seconds * 1000))
        while clock.now < end { try await once() }
        let elapsed = (clock.now - start).seconds
        let cpu = cpuSeconds() - cpuStart
        let us = phases.map { String(format: "%.1f", $0.seconds / Double(count) * 1e6) }
        return "result kind=handshake mode=\(mode) count=\(count) reused=\(reused) truncated=\(truncated) seconds=\(String(format: "%.3f", elapsed)) cpu=\(String(format: "%.4f", cpu))"
            + " connect_us=\(us[0]) handshake_us=\(us[1]) get_us=\(us[2]) close_us=\(us[3]) threads=\(threads.count)"
    }
}

@concurrent func download(backend: any NetworkBackend, port: Int, ca: String, path: String, expected: Int) async throws -> String {
    let context = try context(ca: ca, resumption: false)
    let clock = ContinuousClock()
    let cpuStart = cpuSeconds()
    let start = clock.now
    let tcp = try await backend.connectTCP(host: "127.0.0.1", port: port, options: ConnectOptions())
    return try await withTaskExecutorPreference(tcp.preferredTaskExecutor) {
        let tls = try await TLSStream.connect(over: tcp, host: "localhost", port: port, context: context)
        let handshakeDone = clock.now
        try await tls.write(Array("GET \(path) HTTP/1.0\r\n\r\n".utf8))
        // Keep only the first bytes, to find the end of the header.
        var head: [UInt8] = []
        let (total, closeNotify) = try await readToEnd(tls) { bytes in
            if head.count < 4096 { head += bytes.prefix(4096 - head.count) }
        }
        let elapsed = (clock.now - start).seconds
        let cpu = cpuSeconds() - cpuStart
        await tls.close(.graceful)
        guard head.starts(with: Array("HTTP/1.0 200".utf8)),
              let headerEnd = head.indices.dropLast(3).first(where: { head[$0..<$0 + 4].elementsEqual([13, 10, 13, 10]) })
        else { throw HTTPCoreError(.truncatedResponse, "no 200 response header: \(String(decoding: head.prefix(200), as: UTF8.self))") }
        let body = total - headerEnd - 4
        let line = "result kind=download body=\(body) expected=\(expected) ending=\(closeNotify ? "close_notify" : "truncated")"
            + " seconds=\(String(format: "%.3f", elapsed)) handshake_ms=\(String(format: "%.2f", (handshakeDone - start).seconds * 1e3))"
            + " cpu=\(String(format: "%.4f", cpu))"
        guard body == expected else { throw HTTPCoreError(.truncatedResponse, "incomplete body: \(line)") }
        return line
    }
}

@concurrent func upload(backend: any NetworkBackend, port: Int, ca: String, bytes: Int) async throws -> String {
    let context = try context(ca: ca, resumption: false)
    let clock = ContinuousClock()
    let chunk = (0..<256 * 1024).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
    let cpuStart = cpuSeconds()
    let start = clock.now
    let tcp = try await backend.connectTCP(host: "127.0.0.1", port: port, options: ConnectOptions())
    return try await withTaskExecutorPreference(tcp.preferredTaskExecutor) {
        let tls = try await TLSStream.connect(over: tcp, host: "localhost", port: port, context: context)
        var sent = 0
        while sent < bytes {
            let count = min(chunk.count, bytes - sent)
            try await tls.write(count == chunk.count ? chunk : Array(chunk[..<count]))
            sent += count
        }
        await tls.close(.graceful)
        let elapsed = (clock.now - start).seconds
        let cpu = cpuSeconds() - cpuStart
        return "result kind=upload body=\(sent) seconds=\(String(format: "%.3f", elapsed)) cpu=\(String(format: "%.4f", cpu))"
    }
}

let arguments = CommandLine.arguments
let counts = ["handshake": 7, "download": 7, "upload": 6]
guard arguments.count >= 2, counts[arguments[1]] == arguments.count, ["libuv", "dispatch"].contains(arguments[2]),
      let port = Int(arguments[3])
else {
    FileHandle.standardError.write(Data("""
        usage: tls-bench handshake <libuv|dispatch> PORT CA.pem SECONDS <new|new-get|resumed-get>
               tls-bench download <libuv|dispatch> PORT CA.pem PATH BYTES
               tls-bench upload <libuv|dispatch> PORT CA.pem BYTES

        """.utf8))
    exit(2)
}
let backend = makeBackend(arguments[2])
do {
    let line = switch arguments[1] {
    case "handshake":
        try await handshakes(backend: backend, port: port, ca: arguments[4], seconds: Double(arguments[5]) ?? 5, mode: arguments[6])
    case "download":
        try await download(backend: backend, port: port, ca: arguments[4], path: arguments[5], expected: Int(arguments[6]) ?? -1)
    default:
        try await upload(backend: backend, port: port, ca: arguments[4], bytes: Int(arguments[5]) ?? 0)
    }
    print("\(line) backend=\(arguments[2])")
} catch {
    FileHandle.standardError.write(Data("tls-bench: \(error)\n".utf8))
    exit(1)
}
if let backend = backend as? LibUVBackend { await backend.shutdown() }
