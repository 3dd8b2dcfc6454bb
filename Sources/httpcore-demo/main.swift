// The main job until real backends and the `hx` client land: an HTTP/1.1 exchange end
// to end, in one process, over the mock backend's in-memory streams (no sockets at all).
// A tiny echo server listens on the mock backend; the client connects through the same
// `NetworkBackend` seam the libuv and Dispatch backends will implement.
import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreMock
import HTTPTypes

let backend = MockNetworkBackend()
let listener = try await backend.listenTCP(host: "127.0.0.1", port: 8080, options: ListenOptions())
let server = Task { try await DemoServer.serve(listener) }

let origin = Origin(scheme: "http", host: "127.0.0.1", port: 8080)
let stream = try await backend.connectTCP(host: origin.host, port: origin.port, options: ConnectOptions())
let connection = HTTP1Connection(stream: stream, origin: origin, clock: SystemClock())
print("connected:", stream.info.localAddress.map(String.init(describing:)) ?? "?", "->", stream.info.remoteAddress.map(String.init(describing:)) ?? "?")

// 1. GET, body collected with a limit.
let get = try await connection.send(try Request(url: "http://127.0.0.1:8080/hello"))
print("GET /hello ->", get.status, get.version, try await get.body.collect(upTo: 1 << 20).text)

// 2. POST with a streamed body of unknown length (sent chunked) on the same connection.
let chunks = AsyncStream<[UInt8]> { continuation in
    for word in ["streamed ", "in ", "three chunks"] { continuation.yield(Array(word.utf8)) }
    continuation.finish()
}
let post = try await connection.send(try Request(method: "POST", url: "http://127.0.0.1:8080/echo", body: .stream(chunks)))
print("POST /echo ->", post.status, "echo:", try await post.body.collect(upTo: 1 << 20).text)

// 3. A streamed download read chunk by chunk.
let download = try await connection.send(try Request(url: "http://127.0.0.1:8080/count"))
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
    _ = try await connection.send(try Request(url: "http://127.0.0.1:8080/", headers: [("X-Evil", "a\r\nInjected: 1")]))
} catch let error as HTTPCoreError {
    print("header injection ->", error.category, error)
}

await connection.close()
await listener.close()
server.cancel()
print("done: 3 requests over 1 connection (mock backend, in memory)")

extension [UInt8] {
    var text: String { String(decoding: self, as: UTF8.self) }
}

/// Just enough of an HTTP/1.1 server for the demo: reads a head, an optional
/// Content-Length or chunked body, and answers by path. The project's real server comes
/// with a later issue.
enum DemoServer {
    static func serve(_ listener: any NetworkListener) async throws {
        while let stream = try await listener.accept() {
            Task { try? await handle(stream) }
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
                let text = Array("hello from the in-memory server\n".utf8)
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
