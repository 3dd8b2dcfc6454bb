import Foundation
import HTTPCore
import HTTPCoreClient
import HTTPCoreLibUV
import HTTPCoreServer
import HTTPCoreTestSupport
import Testing

/// A server and a client on one libuv backend over loopback, the client speaking
/// HTTP/1.1 or h2c (HTTP/2 by prior knowledge) to it.
struct Loopback {
    enum Wire: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case http1, h2c
        var testDescription: String { rawValue }
    }

    let server: HTTPServer
    let client: HTTPClient
    let baseURL: URL

    static func run(_ wire: Wire, _ handler: @escaping HTTPServer.RequestHandler, _ body: (Loopback) async throws -> Void) async throws {
        let backend = LibUVBackend(loopCount: 1)
        let server = try await HTTPServer.start(backend: backend, handler)
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        configuration.http1 = wire == .http1
        configuration.http2 = wire == .h2c
        guard case .inet(let host, let port) = server.localAddress else { throw HTTPCoreError(.connectFailed, "no port") }
        let client = try HTTPClient(configuration: configuration)
        try await withTeardown {
            try await body(Loopback(server: server, client: client, baseURL: URL(string: "http://\(host):\(port)")!))
        } teardown: {
            await client.shutdown()
            await server.shutdown()
            await backend.shutdown()
        }
    }
}

/// Chunks handed to a body from the test, one at a time.
struct ChunkFeed: Sendable {
    let chunks: AsyncStream<ArraySlice<UInt8>>
    let continuation: AsyncStream<ArraySlice<UInt8>>.Continuation

    init() { (chunks, continuation) = AsyncStream.makeStream(of: ArraySlice<UInt8>.self) }

    /// Chunk `index` of the lockstep tests: 1,000 × (index + 1) bytes of `index`.
    static func chunk(_ index: Int) -> [UInt8] { [UInt8](repeating: UInt8(index), count: 1000 * (index + 1)) }
}
