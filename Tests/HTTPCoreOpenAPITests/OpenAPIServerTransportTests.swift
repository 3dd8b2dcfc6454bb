import Foundation
import HTTPCore
import HTTPCoreClient
import HTTPCoreOpenAPI
import HTTPCoreServer
import HTTPCoreTestSupport
import HTTPTypes
import OpenAPIRuntime
import Testing

/// The server transport under `HTTPServer`, sent real requests by `HTTPClient` over
/// HTTP/1.1 and h2c; the last test has the client transport on the other end.
@Suite(.timeLimit(.minutes(1)))
struct OpenAPIServerTransportTests {
    /// `operations` registered on a transport, served over `wire`.
    static func run(
        _ wire: Loopback.Wire, _ operations: [(HTTPRequest.Method, String, OpenAPIServerTransport.Operation)],
        _ body: (Loopback) async throws -> Void
    ) async throws {
        let transport = OpenAPIServerTransport()
        for (method, path, operation) in operations { try transport.register(operation, method: method, path: path) }
        try await Loopback.run(wire, transport.requestHandler, body)
    }

    /// Answers with what the operation was given: its path parameters, its path and query.
    static let describe: OpenAPIServerTransport.Operation = { request, _, metadata in
        let parameters = metadata.pathParameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let text = (["\(request.method) \(request.path ?? "")"] + parameters).joined(separator: "\n")
        return (HTTPResponse(status: .ok, headerFields: [.contentType: "text/plain"]), HTTPBody(text))
    }

    /// Parameters arrive as they were on the wire, percent-encoded, for the runtime to
    /// decode; `%2F` stays inside its segment.
    @Test(arguments: Loopback.Wire.allCases)
    func pathParametersStayPercentEncoded(wire: Loopback.Wire) async throws {
        try await Self.run(wire, [(.get, "/greet/{name}", Self.describe), (.get, "/files/{name}.{ext}", Self.describe)]) { loopback in
            let base = loopback.baseURL.absoluteString
            let greet = try await loopback.client.get(base + "/greet/J%C3%BCrgen%20X?polite=yes")
            #expect(greet.status == .ok)
            #expect(greet.text() == "GET /greet/J%C3%BCrgen%20X?polite=yes\nname=J%C3%BCrgen%20X")
            let file = try await loopback.client.get(base + "/files/a%2Fb.tar.gz")
            #expect(file.text() == "GET /files/a%2Fb.tar.gz\next=tar.gz\nname=a%2Fb")
        }
    }

    @Test(arguments: Loopback.Wire.allCases)
    func unknownPathsAre404AndOtherMethods405(wire: Loopback.Wire) async throws {
        try await Self.run(wire, [(.get, "/items/{id}", Self.describe), (.put, "/items/{id}", Self.describe)]) { loopback in
            let base = loopback.baseURL.absoluteString
            let missing = try await loopback.client.get(base + "/nothing/here")
            #expect(missing.status == .notFound)
            let wrongMethod = try await loopback.client.delete(base + "/items/7")
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers[.allow] == "GET, PUT")
            let found = try await loopback.client.put(base + "/items/7")
            #expect(found.text() == "PUT /items/7\nid=7")
        }
    }

    /// The request body's length reaches the operation when Content-Length gives it; a
    /// request without a body still gets an empty one.
    @Test(arguments: Loopback.Wire.allCases)
    func theRequestBodyWithItsLength(wire: Loopback.Wire) async throws {
        let operation: OpenAPIServerTransport.Operation = { _, body, _ in
            let body = try #require(body)
            let bytes = try await [UInt8](collecting: body, upTo: 1 << 20)
            return (HTTPResponse(status: .ok), HTTPBody("\(body.length) \(bytes.count)"))
        }
        try await Self.run(wire, [(.post, "/upload", operation)]) { loopback in
            let url = loopback.baseURL.absoluteString + "/upload"
            let sized = try await loopback.client.post(url, body: .bytes([UInt8](repeating: 7, count: 3000)))
            #expect(sized.text() == "known(3000) 3000")
            let empty = try await loopback.client.post(url)
            #expect(empty.text() == "known(0) 0")
            let feed = ChunkFeed()
            feed.continuation.yield(ArraySlice(repeating: 1, count: 10))
            feed.continuation.finish()
            let streamed = try await loopback.client.post(url, body: .stream(feed.chunks.map { Array($0) }))
            #expect(streamed.text() == "unknown 10")
        }
    }

    /// An operation that throws before its answer is a 500.
    @Test func aFailingOperationIs500() async throws {
        struct Refused: Error {}
        try await Self.run(.http1, [(.get, "/fail", { _, _, _ in throw Refused() })]) { loopback in
            let response = try await loopback.client.get(loopback.baseURL.absoluteString + "/fail")
            #expect(response.status == .internalServerError)
        }
    }

    /// Full duplex through the transport: the operation answers with the request body as
    /// it arrives, and each chunk comes back before the next is sent (a body collected on
    /// the way would hang here). The operation sees the chunks one by one.
    @Test(arguments: Loopback.Wire.allCases)
    func bothBodiesStreamChunkByChunk(wire: Loopback.Wire) async throws {
        let received = Locked<[Int]>([])
        let echo: OpenAPIServerTransport.Operation = { _, body, _ in
            let chunks = try #require(body).map { chunk in
                received.withLock { $0.append(chunk.count) }
                return chunk
            }
            return (HTTPResponse(status: .ok), HTTPBody(chunks, length: .unknown, iterationBehavior: .single))
        }
        try await Self.run(wire, [(.post, "/echo", echo)]) { loopback in
            let feed = ChunkFeed()
            let response = try await loopback.client.open(.post, loopback.baseURL.absoluteString + "/echo", body: .stream(feed.chunks.map { Array($0) }))
            #expect(response.status == .ok)
            var echoed = response.body.makeAsyncIterator()
            for index in 0..<8 {
                let chunk = ChunkFeed.chunk(index)
                feed.continuation.yield(chunk[...])
                var back: [UInt8] = []
                while back.count < chunk.count, let piece = try await echoed.next() { back += piece }
                #expect(back == chunk)
            }
            feed.continuation.finish()
            #expect(try await echoed.next() == nil)
            #expect(received.withLock { $0 } == (0..<8).map { 1000 * ($0 + 1) })
        }
    }

    /// Both transports end to end: 8 MiB up in 64 KiB chunks and back with its length
    /// known, checked by checksum and count.
    @Test(arguments: Loopback.Wire.allCases)
    func aLargeBodyThroughBothTransports(wire: Loopback.Wire) async throws {
        let size = 8 << 20, chunkSize = 64 << 10
        let echo: OpenAPIServerTransport.Operation = { _, body, _ in
            let body = try #require(body)
            return (HTTPResponse(status: .ok), HTTPBody(body.map { $0 }, length: body.length, iterationBehavior: .single))
        }
        try await Self.run(wire, [(.post, "/echo", echo)]) { loopback in
            let pattern = (0..<(size / chunkSize)).map { index in (0..<chunkSize).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) } }
            var sent = Checksum()
            for chunk in pattern { sent.add(chunk) }
            let chunks = AsyncStream<ArraySlice<UInt8>> { continuation in
                for chunk in pattern { continuation.yield(chunk[...]) }
                continuation.finish()
            }
            let transport = OpenAPIClientTransport(client: loopback.client)
            let (head, body) = try await transport.send(
                HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/echo"),
                body: HTTPBody(chunks, length: .known(Int64(size))), baseURL: loopback.baseURL, operationID: "echo"
            )
            #expect(head.status == .ok)
            #expect(head.headerFields[.contentLength] == String(size))
            let received = try #require(body)
            #expect(received.length == .known(Int64(size)))
            var echoed = Checksum()
            for try await chunk in received { echoed.add(Array(chunk)) }
            #expect(echoed == sent)
            #expect(echoed.count == size)
        }
    }
}
