import HTTPCoreServer
import HTTPTypes

/// The demo's slow response: `chunks` chunks of `chunkSize` bytes, chunk `i` filled with
/// the byte `i`, `interval` apart, with a Content-Length, so a client tells a whole body
/// from a cut one by length and by content. Anything but `GET /slow` gets 404.
enum SlowBody {
    static let chunks = 20
    static let chunkSize = 1024
    static let interval = Duration.milliseconds(50)

    @Sendable static func handle(_ request: HTTPServerRequest, _ response: HTTPServerResponseWriter) async throws {
        guard request.head.method == .get, request.head.path == "/slow" else {
            try await response.respond(HTTPResponse(status: .notFound))
            return
        }
        try await response.writeHead(HTTPResponse(status: .ok, headerFields: [.contentLength: "\(chunks * chunkSize)"]))
        for index in 0..<chunks {
            if index > 0 { try await Task.sleep(for: interval) }
            try await response.write([UInt8](repeating: UInt8(index), count: chunkSize))
        }
        try await response.finish()
    }
}
