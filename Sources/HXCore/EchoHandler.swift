import HTTPCoreServer
import HTTPTypes

/// `hx serve`'s `/echo`: the request body sent back as it arrives (the head goes first,
/// then each chunk as soon as it is read: full duplex, so a client can watch its own
/// upload come back), then the request's trailers as the response's, plus `x-echo-bytes`
/// with the byte count so a client can check that nothing was lost. The same contract as
/// the HTTP/2 echo peer of the interop suite (Interop/peers/h2_echo_server.py).
enum EchoHandler {
    static let byteCountTrailer = HTTPField.Name("x-echo-bytes")!

    /// Answers `request`; returns the body bytes echoed.
    static func respond(to request: HTTPServerRequest, with response: HTTPServerResponseWriter) async throws -> Int {
        var head = HTTPResponse(status: .ok)
        head.headerFields[.contentType] = request.head.headerFields[.contentType] ?? MediaType.bytes
        try await response.writeHead(head)
        var total = 0
        for try await chunk in request.body {
            total += chunk.count
            try await response.write(chunk)
        }
        var trailers = try await request.body.trailers()
        trailers[byteCountTrailer] = String(total)
        try await response.finish(trailers: trailers)
        return total
    }
}
