import HTTPCore
import HTTPCoreMock
import HTTPCoreTestSupport

/// An origin on the mock backend at `example.com:80` for timeout tests, over HTTP/1.1 or
/// h2c: `GET /hello` answers "hello", `GET /partial` sends a head promising 100 bytes and
/// 5 of them, then nothing; `GET /never` gets no answer. Every connection is served.
final class StallingOrigin: Sendable {
    let backend = MockNetworkBackend()
    private let servers = Locked<[HTTP2TestServer]>([])
    private let http1Requests = Locked(0)
    private let accepting: Task<Void, Never>

    init(_ wire: TotalDeadlineTests.Wire, maxConcurrentStreams: UInt32 = 100) async throws {
        let listener = try await backend.listenTCP(host: "example.com", port: 80, options: ListenOptions())
        accepting = Task { [servers, http1Requests] in
            while let stream = try? await listener.accept() {
                if wire == .http2 {
                    guard let server = try? HTTP2TestServer(stream: stream, maxConcurrentStreams: maxConcurrentStreams) else { return }
                    servers.withLock { $0.append(server) }
                    Task { await server.run() }
                } else {
                    Task { await Self.serveHTTP1(stream, count: http1Requests) }
                }
            }
        }
    }

    deinit { accepting.cancel() }

    var http2Servers: [HTTP2TestServer] { servers.withLock { $0 } }

    /// Request heads received, over every connection.
    var requestsSeen: Int {
        http1Requests.withLock { $0 } + http2Servers.reduce(0) { $0 + $1.requestHeads.count }
    }

    private static func serveHTTP1(_ stream: any NetworkStream, count: Locked<Int>) async {
        var buffer: [UInt8] = []
        let terminator = Array("\r\n\r\n".utf8)
        while let bytes = try? await stream.read(maxBytes: 16 << 10, deadline: nil) {
            buffer += bytes
            while let end = buffer.firstRange(of: terminator) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                buffer.removeSubrange(..<end.upperBound)
                count.withLock { $0 += 1 }
                let answer: String
                if head.hasPrefix("GET /hello ") {
                    answer = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                } else if head.hasPrefix("GET /partial ") {
                    answer = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello"
                } else {
                    continue // /never
                }
                guard (try? await stream.write(Array(answer.utf8), deadline: nil)) != nil else { return }
            }
        }
        await stream.close(.graceful)
    }
}
