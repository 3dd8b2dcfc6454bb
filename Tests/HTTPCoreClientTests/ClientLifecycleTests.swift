import HTTPCore
import HTTPCoreClient
import HTTPCoreHTTP2
import HTTPCoreMock
import HTTPCorePool
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// Shutting down, dropping a client, mounts, and HTTP/2 streams through the client.
@Suite struct ClientLifecycleTests {
    static let exchange: [MockStep] = [
        .write("GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: swift-httpcore/0.1\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate, br, zstd\r\n\r\n"),
        .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    ]

    @Test func afterShutdownRequestsFailUnprocessedAndConnectionsAreClosed() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: Self.exchange)
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        let client = try HTTPClient(configuration: configuration)
        _ = try await client.get("http://example.com/")
        await client.shutdown()
        await client.shutdown() // a second call does nothing
        #expect(backend.streams.first?.isClosed == true)
        let error = await #expect(throws: HTTPCoreError.self) { try await client.get("http://example.com/") }
        #expect(error?.code == .connectionUnavailable)
        #expect(error?.isSafeToRetry == true)
        #expect(backend.connectRecords.count == 1)
    }

    @Test func aClientDroppedWithoutShutdownClosesItsConnections() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: Self.exchange)
        do {
            var configuration = HTTPClient.Configuration()
            configuration.backend = backend
            let client = try HTTPClient(configuration: configuration)
            #expect(try await client.get("http://example.com/").text() == "ok")
            #expect(backend.streams.first?.isClosed == false)
        }
        await waitUntil("the dropped client's connection is closed") { backend.streams.first?.isClosed == true }
    }

    @Test func aClientOnTheDefaultBackendCanBeDroppedWithoutShutdown() async throws {
        // Its own libuv loop threads are shut down in the background: nothing crashes.
        for _ in 0..<3 { _ = try HTTPClient() }
        let client = try HTTPClient()
        #expect(client.pool != nil)
        #expect(client.connections.isEmpty)
        await client.shutdown()
    }

    @Test func theLongestMatchingMountAnswers() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: Self.exchange)
        func answering(_ text: String) -> ClosureTransport {
            ClosureTransport { _ in Response(head: HTTPResponse(status: .ok), body: ResponseBody(bytes: Array(text.utf8)), version: .http1_1) }
        }
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        configuration.mounts = [("http://api.test", answering("api")), ("http://api.test/v2/", answering("v2")), ("https://", answering("tls"))]
        let texts = try await withHTTPClient(configuration) { client in
            var texts: [String] = []
            for url in ["http://api.test/v1/x", "http://api.test/v2/x", "https://anything.test/", "http://example.com/"] {
                texts.append(try await client.get(url).text())
            }
            return texts
        }
        // The last one went to the pool, over the mock.
        #expect(texts == ["api", "v2", "tls", "ok"])
        #expect(backend.connectRecords.count == 1)
        #expect(backend.failures.isEmpty)
    }

    @Test func aTransportMeansNoPoolAndNoSockets() async throws {
        var configuration = HTTPClient.Configuration()
        configuration.transport = ClosureTransport { request in
            Response(head: HTTPResponse(status: .ok), body: ResponseBody(bytes: Array((request.head.path ?? "").utf8)), version: .http2)
        }
        let client = try HTTPClient(configuration: configuration)
        #expect(client.pool == nil && client.snapshot == nil)
        #expect(try await client.get("https://example.com/p?q").text() == "/p?q")
        await client.shutdown()
    }

    @Test func http2StreamsThroughTheClientShareOneConnectionAndAnUnreadStreamIsReset() async throws {
        let backend = MockNetworkBackend()
        let servers = Locked<[HTTP2TestServer]>([])
        let listener = try await backend.listenTCP(host: "example.com", port: 80, options: ListenOptions())
        let accepting = Task {
            while let stream = try? await listener.accept() {
                guard let server = try? HTTP2TestServer(stream: stream) else { return }
                servers.withLock { $0.append(server) }
                Task { await server.run() }
            }
        }
        defer { accepting.cancel() }
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        configuration.http1 = false
        configuration.http2 = true
        try await withHTTPClient(configuration) { client in
            let texts = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 { group.addTask { try await client.get("http://example.com/hello").text() } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(texts == Array(repeating: "hello", count: 20))
            #expect(client.connections == ["<HTTP2Connection ['http://example.com:80', HTTP/2, IDLE, Request Count: 20]>"])
            // A streamed body left unread: the stream is reset, the connection stays.
            let first = try await client.stream(.get, "http://example.com/bytes/1000000") { response in
                var iterator = response.body.makeAsyncIterator()
                return try await iterator.next()?.count ?? 0
            }
            #expect(first > 0)
            await waitUntil("the server saw the reset") { servers.withLock { $0.first?.resetsReceived.count == 1 } }
            #expect(try await client.get("http://example.com/hello").text() == "hello")
            #expect(servers.withLock { $0.count } == 1)
        }
    }
}
