// The main job until the `hx` client lands: HTTP/1.1 end to end on 127.0.0.1 over each
// real backend (libuv, then Dispatch), against a tiny in-process server listening on the
// same backend, then the same over TLS when HTTPCORE_DEMO_PKI names a test PKI folder.
// `httpcore-demo mock` runs the exchange in memory on the mock backend.
import HTTPCore
import HTTPCoreDispatch
import HTTPCoreHTTP1
import HTTPCoreLibUV
import HTTPCoreMock
import HTTPTypes
#if canImport(Glibc)
import Glibc
#endif

let names = CommandLine.arguments.count > 1 ? Array(CommandLine.arguments.dropFirst()) : ["libuv", "dispatch"]
for name in names {
    let backend: any NetworkBackend = switch name {
    case "libuv": LibUVBackend()
    case "dispatch": DispatchBackend()
    case "mock": MockNetworkBackend()
    default: fatalError("usage: httpcore-demo [libuv|dispatch|mock]...")
    }
    print("== \(name) backend")
    try await runDemo(on: backend)
    if let pki = ProcessInfo.pki { try await runTLSDemo(on: backend, pki: pki) }
    if let backend = backend as? LibUVBackend { await backend.shutdown() }
}

func runDemo(on backend: any NetworkBackend) async throws {
    let listener = try await backend.listenTCP(host: "127.0.0.1", port: 0, options: ListenOptions())
    guard case .inet(_, let port) = listener.localAddress else { fatalError("listener has no port") }
    let server = Task { try await DemoServer.serve(listener) }
    let base = "http://127.0.0.1:\(port)"

    let origin = Origin(scheme: "http", host: "127.0.0.1", port: port)
    let stream = try await backend.connectTCP(host: origin.host, port: origin.port, options: ConnectOptions())
    let connection = HTTP1Connection(stream: stream, origin: origin, clock: backend.clock)
    print("connected:", stream.info.localAddress.map(String.init(describing:)) ?? "?", "->", stream.info.remoteAddress.map(String.init(describing:)) ?? "?")

    // 1. GET, body collected with a limit.
    let get = try await connection.send(try Request(url: "\(base)/hello"))
    print("GET /hello ->", get.status, get.version, try await get.body.collect(upTo: 1 << 20).text, terminator: "")

    // 2. POST with a streamed body of unknown length (sent chunked) on the same connection.
    let chunks = AsyncStream<[UInt8]> { continuation in
        for word in ["streamed ", "in ", "three chunks"] { continuation.yield(Array(word.utf8)) }
        continuation.finish()
    }
    let post = try await connection.send(try Request(method: "POST", url: "\(base)/echo", body: .stream(chunks)))
    print("POST /echo ->", post.status, "echo:", try await post.body.collect(upTo: 1 << 20).text)

    // 3. A streamed download read chunk by chunk, with trailers.
    let download = try await connection.send(try Request(url: "\(base)/count"))
    var pieces = 0
    var total = 0
    for try await chunk in download.body {
        pieces += 1
        total += chunk.count
    }
    print("GET /count ->", download.status, "\(total) bytes in \(pieces) chunks, trailers:", download.body.trailers.map { "\($0)" } ?? "none")
    print(connection)

    // 4. Bad input gets a typed error: the request is refused before a byte is written.
    do {
        _ = try await connection.send(try Request(url: "\(base)/", headers: [("X-Evil", "a\r\nInjected: 1")]))
    } catch let error as HTTPCoreError {
        print("header injection ->", error.category, error)
    }

    // 5. A timeout is typed too: the server never answers /stall. (Skipped on the mock,
    // whose manual clock only a test moves.)
    if backend is MockNetworkBackend { return await finish(connection, listener, server, port) }
    var options = RequestOptions()
    options.timeouts.read = .milliseconds(200)
    do {
        _ = try await connection.send(try Request(url: "\(base)/stall", options: options))
    } catch let error as HTTPCoreError {
        print("GET /stall with a 200 ms read timeout ->", error.category, "; connection closed:", connection.isClosed)
    }

    await finish(connection, listener, server, port)
}

func finish(_ connection: HTTP1Connection, _ listener: any NetworkListener, _ server: Task<Void, any Error>, _ port: Int) async {
    await connection.close()
    await listener.close()
    server.cancel()
    print("done: requests over 1 connection to 127.0.0.1:\(port)")
}

enum ProcessInfo {
    /// The folder scripts/demo.sh filled with scripts/make-test-pki.sh, if any.
    static var pki: String? { getenv("HTTPCORE_DEMO_PKI").map { String(cString: $0) } }
}

extension [UInt8] {
    var text: String { String(decoding: self, as: UTF8.self) }
}

/// Just enough of an HTTP/1.1 server for the demo: reads a head, an optional
/// Content-Length or chunked body, and answers by path. The project's real server comes
/// with a later issue.
enum DemoServer {
    static func serve(_ listener: any NetworkListener) async throws {
        while let stream = try await listener.accept() {
            Task(executorPreference: stream.preferredTaskExecutor) { try? await handle(stream) }
        }
    }

    static func handle(_ stream: any NetworkStream) async throws {
        var buffer: [UInt8] = []
        while true {
            guard let (head, rest) = try await readHead(stream, &buffer) else { return }
            buffer = rest
            let lines = head.text.split(separator: "\r\n")
            let path = lines.first?.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
            let fields = lines.dropFirst().map { $0.lowercased() }
            var body: [UInt8] = []
            if let length = fields.first(where: { $0.hasPrefix("content-length:") }).flatMap({ Int($0.dropFirst(15).trimmingPrefix(" ")) }) {
                while buffer.count < length, let more = try await stream.read(maxBytes: 65536) { buffer += more }
                body = Array(buffer.prefix(length))
                buffer.removeFirst(length)
            } else if fields.contains("transfer-encoding: chunked") {
                body = try await readChunked(stream, &buffer)
            }
            switch path {
            case "/stall":
                try await Task.sleep(for: .seconds(5))
            case "/echo":
                try await stream.write(Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
            case "/count":
                var response = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
                for index in 1...5 {
                    let line = Array("line \(index)\n".utf8)
                    response += Array("\(String(line.count, radix: 16))\r\n".utf8) + line + Array("\r\n".utf8)
                }
                try await stream.write(response)
                try await stream.write(Array("0\r\nX-Lines: 5\r\n\r\n".utf8))
            default:
                let text = Array("hello from the demo server\n".utf8)
                try await stream.write(Array("HTTP/1.1 200 OK\r\nContent-Length: \(text.count)\r\n\r\n".utf8) + text)
            }
        }
    }

    static func readHead(_ stream: any NetworkStream, _ buffer: inout [UInt8]) async throws -> ([UInt8], [UInt8])? {
        while true {
            if let end = find([13, 10, 13, 10], in: buffer) {
                return (Array(buffer[..<end]), Array(buffer[(end + 4)...]))
            }
            guard let more = try await stream.read(maxBytes: 65536) else { return nil }
            buffer += more
        }
    }

    static func readChunked(_ stream: any NetworkStream, _ buffer: inout [UInt8]) async throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            while find([13, 10], in: buffer) == nil, let more = try await stream.read(maxBytes: 65536) { buffer += more }
            guard let lineEnd = find([13, 10], in: buffer), let size = Int(Array(buffer[..<lineEnd]).text, radix: 16) else { return body }
            buffer.removeFirst(lineEnd + 2)
            while buffer.count < size + 2, let more = try await stream.read(maxBytes: 65536) { buffer += more }
            if size == 0 {
                while find([13, 10], in: buffer) != 0, let more = try await stream.read(maxBytes: 65536) { buffer += more }
                buffer.removeFirst(2)
                return body
            }
            body += buffer.prefix(size)
            buffer.removeFirst(size + 2)
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
