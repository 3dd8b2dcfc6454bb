import HTTPCore
import HTTPCoreMock
import HTTPCorePool
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// The pool gives a connection back when the response body ends; with full duplex the
/// upload may still be running then. The connection must go to another request only once
/// both directions are over (idle) or not at all (closed).
@Suite struct PoolDuplexTests {
    static let postHead = "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
    static let getB: [MockStep] = [
        .write("GET /b HTTP/1.1\r\nHost: example.com\r\n\r\n"),
        .read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo"),
    ]

    static func text(_ response: Response) async throws -> String {
        String(decoding: try await response.body.collect(upTo: 1 << 20), as: UTF8.self)
    }

    /// The server answered in full, without keep-alive, while the body was still being
    /// produced: the upload is stopped, the connection closed, and the next request gets
    /// a new one.
    @Test func aResponseWithoutKeepAliveThatEndsMidUploadClosesTheConnection() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write(Self.postHead), .write("3\r\nabc\r\n"),
            .read("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        backend.expectConnect(host: "example.com", port: 80, script: Self.getB)
        let body = TrackedBody()
        body.send("abc")
        try await withConnectionPool(backend: backend) { pool in
            let response = try await pool.send(try Request(method: "POST", url: "http://example.com/", body: .stream(body)))
            #expect(try await Self.text(response) == "ok")
            await waitUntil("the stopped upload let the body go") { body.liveIterators == 0 }
            #expect(try await Self.text(try await pool.send(try Request(url: "http://example.com/b"))) == "two")
            #expect(pool.connections == ["<HTTP1Connection ['http://example.com:80', HTTP/1.1, IDLE, Request Count: 1]>"])
        }
        #expect(backend.connectRecords.count == 2)
        #expect(backend.failures.isEmpty)
    }

    /// nginx's way: a complete keep-alive answer at once, the rest of the body read and
    /// discarded. The body's end waits for the upload, so a request queued meanwhile (one
    /// connection allowed) gets the connection only once it is idle, and reuses it.
    @Test func aKeepAliveResponseThatEndsMidUploadHoldsTheConnectionUntilTheUploadEnds() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write(Self.postHead), .write("3\r\nabc\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
            .write("3\r\ndef\r\n"), .write("0\r\n\r\n"),
        ] + Self.getB)
        var configuration = ConnectionPool.Configuration()
        configuration.maxConnections = 1
        let body = TrackedBody()
        body.send("abc")
        try await withConnectionPool(backend: backend, configuration: configuration) { pool in
            let response = try await pool.send(try Request(method: "POST", url: "http://example.com/", body: .stream(body)))
            let post = Task { try await Self.text(response) }
            let next = Task { try await Self.text(try await pool.send(try Request(url: "http://example.com/b"))) }
            await waitUntil("the GET is queued") { pool.snapshot.queuedRequests == 1 }
            #expect(pool.connections == ["<HTTP1Connection ['http://example.com:80', HTTP/1.1, ACTIVE, Request Count: 1]>"])
            body.send("def")
            body.finish()
            #expect(try await post.value == "ok")
            #expect(try await next.value == "two")
            #expect(pool.connections == ["<HTTP1Connection ['http://example.com:80', HTTP/1.1, IDLE, Request Count: 2]>"])
        }
        #expect(backend.connectRecords.count == 1)
        #expect(backend.failures.isEmpty)
    }

    /// The response ended while the body's last write was still in flight: the body's end
    /// waits for that write, so a request queued meanwhile (one connection allowed) gets
    /// the connection only once it is idle, and reuses it.
    @Test func aQueuedRequestWaitsForTheUploadsLastWrite() async throws {
        let backend = MockNetworkBackend()
        let clock = backend.manualClock
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write(Self.postHead), .write("3\r\nabc\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
            .delay(.seconds(1)),
            .write("0\r\n\r\n"),
        ] + Self.getB)
        var configuration = ConnectionPool.Configuration()
        configuration.maxConnections = 1
        let body = TrackedBody()
        body.send("abc")
        try await withConnectionPool(backend: backend, configuration: configuration) { pool in
            let response = try await pool.send(try Request(method: "POST", url: "http://example.com/", body: .stream(body)))
            body.finish()
            try await clock.waitForTimers(2)  // the script's delay and the last write's timeout
            let post = Task { try await Self.text(response) }
            let next = Task { try await Self.text(try await pool.send(try Request(url: "http://example.com/b"))) }
            await waitUntil("the GET is queued") { pool.snapshot.queuedRequests == 1 }
            #expect(pool.connections == ["<HTTP1Connection ['http://example.com:80', HTTP/1.1, ACTIVE, Request Count: 1]>"])
            clock.advance(by: .seconds(1))
            #expect(try await post.value == "ok")
            #expect(try await next.value == "two")
            #expect(pool.connections == ["<HTTP1Connection ['http://example.com:80', HTTP/1.1, IDLE, Request Count: 2]>"])
        }
        #expect(backend.connectRecords.count == 1)
        #expect(backend.failures.isEmpty)
    }
}
