import HTTPCore
import HTTPCoreMock

/// An HTTP/1.1 origin on the mock backend: every connection to `example.com:80` gets a
/// keep-alive server that answers `GET /` with "hello" and `GET /big` with 64 KiB in
/// four writes, yielding between writes so a client can be cancelled mid-response.
final class MockHTTP1Origin: Sendable {
    static let bigSize = 64 << 10
    let backend = MockNetworkBackend()
    private let accepting: Task<Void, Never>
    private let served = Locked(0)

    init() async throws {
        let listener = try await backend.listenTCP(host: "example.com", port: 80, options: ListenOptions())
        accepting = Task { [served] in
            while let stream = try? await listener.accept() {
                Task { await Self.serve(stream, count: served) }
            }
        }
    }

    var requestsServed: Int { served.withLock { $0 } }

    func stop() { accepting.cancel() }

    private static func serve(_ stream: any NetworkStream, count: Locked<Int>) async {
        var buffer: [UInt8] = []
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        defer { Task { await stream.close(.graceful) } }
        while true {
            while let end = buffer.firstRange(of: terminator) {
                let head = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                buffer.removeSubrange(..<end.upperBound)
                let big = head.hasPrefix("GET /big ")
                let body = big ? [UInt8](repeating: 0x61, count: bigSize) : Array("hello".utf8)
                do {
                    try await stream.write(Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n".utf8), deadline: nil)
                    for part in 0..<4 {
                        await Task.yield()
                        try await stream.write(Array(body[(body.count * part / 4)..<(body.count * (part + 1) / 4)]), deadline: nil)
                    }
                } catch {
                    return
                }
                count.withLock { $0 += 1 }
            }
            guard let bytes = try? await stream.read(maxBytes: 16 << 10, deadline: nil) else { return }
            buffer += bytes
        }
    }
}
