import Foundation
import HTTPCore
import HTTPCoreClient
import HTTPCoreOpenAPI
import HTTPCoreServer
import HTTPCoreTestSupport
import HTTPTypes
import OpenAPIRuntime
import Testing

/// The client transport against `HTTPServer` on loopback with plain handlers, over
/// HTTP/1.1 and h2c: what goes out, what comes back, and that neither body is collected
/// on the way.
@Suite(.timeLimit(.minutes(1)))
struct OpenAPIClientTransportTests {
    @Test(arguments: Loopback.Wire.allCases)
    func aRequestGoesOutAsTheOperationBuiltIt(wire: Loopback.Wire) async throws {
        let seen = Locked<(head: HTTPRequest, body: [UInt8])?>(nil)
        let answer = Array(#"{"message":"Hello, Jürgen!"}"#.utf8)
        try await Loopback.run(wire, { request, response in
            let body = try await request.body.collect(upTo: 1 << 20)
            seen.withLock { $0 = (request.head, body) }
            try await response.respond(HTTPResponse(status: .created, headerFields: [.contentType: "application/json"]), body: answer)
        }) { loopback in
            let transport = OpenAPIClientTransport(client: loopback.client)
            let operation = HTTPRequest(
                method: .post, scheme: nil, authority: nil, path: "/greet?name=J%C3%BCrgen",
                headerFields: [.contentType: "text/plain", .contentLength: "999", HTTPField.Name("x-operation")!: "greet"]
            )
            let (head, body) = try await transport.send(
                operation, body: HTTPBody("hello"), baseURL: loopback.baseURL.appendingPathComponent("v1"), operationID: "greet"
            )
            #expect(head.status == .created)
            #expect(head.headerFields[.contentType] == "application/json")
            let received = try #require(body)
            #expect(received.length == .known(Int64(answer.count)))
            #expect(try await [UInt8](collecting: received, upTo: 1 << 10) == answer)

            let sent = try #require(seen.withLock { $0 })
            #expect(sent.head.method == .post)
            #expect(sent.head.path == "/v1/greet?name=J%C3%BCrgen")
            // The operation's own Content-Length is dropped: the body's length frames it.
            #expect(sent.head.headerFields[values: .contentLength] == ["5"])
            #expect(sent.head.headerFields[.contentType] == "text/plain")
            #expect(sent.head.headerFields[HTTPField.Name("x-operation")!] == "greet")
            #expect(sent.body == Array("hello".utf8))
        }
    }

    /// A body of unknown length goes out chunked (HTTP/1.1), and a response without
    /// Content-Length comes back with its length unknown.
    @Test func unknownLengthsBothWays() async throws {
        let seen = Locked<HTTPFields?>(nil)
        try await Loopback.run(.http1, { request, response in
            seen.withLock { $0 = request.head.headerFields }
            try await response.writeHead(HTTPResponse(status: .ok))
            for try await chunk in request.body { try await response.write(chunk) }
            try await response.finish()
        }) { loopback in
            let transport = OpenAPIClientTransport(client: loopback.client)
            let feed = ChunkFeed()
            feed.continuation.yield(ArraySlice("abc".utf8))
            feed.continuation.finish()
            let (_, body) = try await transport.send(
                HTTPRequest(method: .put, scheme: nil, authority: nil, path: "/echo"),
                body: HTTPBody(feed.chunks, length: .unknown), baseURL: loopback.baseURL, operationID: "echo"
            )
            let received = try #require(body)
            #expect(received.length == .unknown)
            #expect(try await String(collecting: received, upTo: 1 << 10) == "abc")
            let fields = try #require(seen.withLock { $0 })
            #expect(fields[.transferEncoding] == "chunked")
            #expect(fields[.contentLength] == nil)
        }
    }

    /// Full duplex through the transport: each chunk is echoed back before the next is
    /// sent, so a body collected anywhere on the way (request or response) would hang
    /// here. The server sees the chunks as they were sent, one by one.
    @Test(arguments: Loopback.Wire.allCases)
    func bothBodiesStreamChunkByChunk(wire: Loopback.Wire) async throws {
        let received = Locked<[Int]>([])
        try await Loopback.run(wire, { request, response in
            try await response.writeHead(HTTPResponse(status: .ok))
            for try await chunk in request.body {
                received.withLock { $0.append(chunk.count) }
                try await response.write(chunk)
            }
            try await response.finish()
        }) { loopback in
            let transport = OpenAPIClientTransport(client: loopback.client)
            let feed = ChunkFeed()
            let (head, body) = try await transport.send(
                HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/echo"),
                body: HTTPBody(feed.chunks, length: .unknown), baseURL: loopback.baseURL, operationID: "echo"
            )
            #expect(head.status == .ok)
            var echoed = try #require(body).makeAsyncIterator()
            for index in 0..<8 {
                let chunk = ChunkFeed.chunk(index)
                feed.continuation.yield(chunk[...])
                var back: [UInt8] = []
                while back.count < chunk.count, let piece = try await echoed.next() {
                    back += piece
                }
                #expect(back == chunk)
            }
            feed.continuation.finish()
            #expect(try await echoed.next() == nil)
            #expect(received.withLock { $0 } == (0..<8).map { 1000 * ($0 + 1) })
        }
    }

    /// Nothing answers on the port: the failure is the client's own error, by category.
    @Test func failuresAreHTTPCoreErrors() async throws {
        try await Loopback.run(.http1, { _, _ in }) { loopback in
            let transport = OpenAPIClientTransport(client: loopback.client)
            await loopback.server.shutdown()
            let error = await #expect(throws: HTTPCoreError.self) {
                _ = try await transport.send(
                    HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/"), body: nil, baseURL: loopback.baseURL, operationID: "root"
                )
            }
            #expect(error?.category == .network(.connect))
        }
    }

    /// No body where none can follow: a HEAD's response and a 204.
    @Test func noBodyWhereNoneCanFollow() async throws {
        try await Loopback.run(.http1, { request, response in
            let status: HTTPResponse.Status = request.head.method == .head ? .ok : .noContent
            try await response.respond(HTTPResponse(status: status, headerFields: [.contentLength: "42"]))
        }) { loopback in
            let transport = OpenAPIClientTransport(client: loopback.client)
            for method in [HTTPRequest.Method.head, .delete] {
                let (head, body) = try await transport.send(
                    HTTPRequest(method: method, scheme: nil, authority: nil, path: "/thing"), body: nil, baseURL: loopback.baseURL, operationID: "thing"
                )
                #expect(head.status == (method == .head ? .ok : .noContent))
                #expect(body == nil)
            }
        }
    }
}
