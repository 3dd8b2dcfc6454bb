import HTTPCore
import HTTPCoreClient
import HTTPCoreServer

/// The in-process tests' slow response: a head with Content-Length, the first `firstPart`
/// bytes of `body`, then the rest once the test opens `gate`. The body is a byte pattern,
/// so a cut or reordered body does not compare equal.
struct SlowExchange: Sendable {
    static let body: [UInt8] = (0..<(64 << 10)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) }
    static let firstPart = 8 << 10

    /// Opened once, by the test, to let the handler finish.
    let gate = Waiter<Void>()

    var handler: HTTPServer.Handler {
        .requests { [gate] _, response in
            try await response.writeHead(HTTPResponse(status: .ok, headerFields: [.contentLength: "\(Self.body.count)"]))
            try await response.write(Array(Self.body[..<Self.firstPart]))
            try await gate.wait()
            try await response.write(Array(Self.body[Self.firstPart...]))
            try await response.finish()
        }
    }

    /// Sends GET `url` in a task of its own: the task's value is the status and the whole
    /// body; `firstBytes` yields once the first bytes are in.
    static func send(_ url: String, with client: HTTPClient) -> (response: Task<(Int, [UInt8]), any Error>, firstBytes: AsyncStream<Void>) {
        let (firstBytes, arrived) = AsyncStream.makeStream(of: Void.self)
        let response = Task {
            try await client.stream(.get, url) { response in
                var received: [UInt8] = []
                for try await chunk in response.body {
                    received += chunk
                    arrived.yield()
                }
                return (response.status.code, received)
            }
        }
        return (response, firstBytes)
    }
}
