public import HTTPCore
public import HTTPTypes

/// One request as a request/response handler sees it: the head at once, the body as it
/// streams in, and the trailers after it.
public struct HTTPServerRequest: Sendable {
    public let head: HTTPRequest
    public let body: HTTPServerRequestBody
    /// HTTP/2, or HTTP/1.1.
    public let version: HTTPVersion
    /// Addresses and, over TLS, the negotiated protocol and the client's certificate.
    public let info: NetworkStreamInfo
}

/// A request body: chunks as they arrive (reading reopens HTTP/2's flow-control windows,
/// so a client sends only as fast as the handler reads), then `trailers()`.
public struct HTTPServerRequestBody: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let connection: any HTTPServerConnection
    let stream: HTTPServerStreamID

    public func makeAsyncIterator() -> Iterator { Iterator(body: self) }

    public struct Iterator: AsyncIteratorProtocol {
        let body: HTTPServerRequestBody
        var ended = false

        public mutating func next() async throws -> [UInt8]? {
            guard !ended else { return nil }
            let chunk = try await body.connection.readStream(body.stream, maxBytes: 1 << 20)
            if chunk.isEmpty { ended = true; return nil }
            return chunk
        }
    }

    /// The whole body, refused with `.bodyTooLarge` past `limit` bytes.
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in self {
            guard bytes.count + chunk.count <= limit else {
                throw HTTPCoreError(.bodyTooLarge, "the request body is over \(limit) bytes")
            }
            bytes += chunk
        }
        return bytes
    }

    /// The trailers, once the body has ended (empty when the client sent none); body
    /// bytes not read yet are discarded.
    public func trailers() async throws -> HTTPFields {
        try await connection.receiveTrailers(on: stream)
    }
}
