import HTTPCore
import HTTPCoreMock
import HTTPCorePool
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// The pool over the mock backend (scripted wire, manual clock) and over libuv against
/// nginx on 127.0.0.1.
@Suite struct ConnectionPoolTests {
    static func exchange(_ path: String, _ body: String) -> [MockStep] {
        [
            .write("GET \(path) HTTP/1.1\r\nHost: example.com\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"),
        ]
    }

    static func text(_ response: Response) async throws -> String {
        String(decoding: try await response.body.collect(upTo: 1 << 20), as: UTF8.self)
    }

    @Test func reusesTheConnectionForTheNextRequest() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: Self.exchange("/a", "one") + Self.exchange("/b", "two"))
        try await withConnectionPool(backend: backend) { pool in
            let one = try await Self.text(try await pool.send(try Request(url: "http://example.com/a")))
            #expect(one == "one")
            let two = try await Self.text(try await pool.send(try Request(url: "http://example.com/b")))
            #expect(two == "two")
            #expect(pool.connections == ["<HTTP1Connection ['http://example.com:80', HTTP/1.1, IDLE, Request Count: 2]>"])
        }
        #expect(backend.connectRecords.count == 1)
        #expect(backend.failures.isEmpty)
    }

    @Test func aStaleConnectionIsRetriedOnceOnANewOne() async throws {
        let backend = MockNetworkBackend()
        // The server closes the first connection while it sits idle.
        backend.expectConnect(host: "example.com", port: 80, script: Self.exchange("/a", "one") + [.eof])
        backend.expectConnect(host: "example.com", port: 80, script: Self.exchange("/b", "two"))
        try await withConnectionPool(backend: backend) { pool in
            let one = try await Self.text(try await pool.send(try Request(url: "http://example.com/a")))
            #expect(one == "one")
            let two = try await Self.text(try await pool.send(try Request(url: "http://example.com/b")))
            #expect(two == "two")
        }
        #expect(backend.connectRecords.count == 2)
        #expect(backend.failures.isEmpty)
    }

    /// Found by Interop/ against nginx: after 16 parallel requests, 16 idle connections
    /// that nginx then closed; the next GET met two stale ones and failed.
    @Test func everyStaleIdleConnectionIsSkipped() async throws {
        let backend = MockNetworkBackend()
        for _ in 0..<2 { backend.expectConnect(host: "example.com", port: 80, script: Self.exchange("/a", "one") + [.eof]) }
        backend.expectConnect(host: "example.com", port: 80, script: Self.exchange("/b", "two"))
        try await withConnectionPool(backend: backend) { pool in
            // Two at once, so the pool holds two connections; both go idle, then stale.
            let first = try await pool.send(try Request(url: "http://example.com/a"))
            let second = try await pool.send(try Request(url: "http://example.com/a"))
            #expect(try await Self.text(first) == "one")
            #expect(try await Self.text(second) == "one")
            let two = try await Self.text(try await pool.send(try Request(url: "http://example.com/b")))
            #expect(two == "two")
        }
        #expect(backend.connectRecords.count == 3)
        #expect(backend.failures.isEmpty)
    }

    /// A connection found stale before a byte of the request was written carried nothing,
    /// so even a POST goes to another connection.
    @Test func aPostThatFindsTheIdleConnectionStaleGoesToANewOne() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: Self.exchange("/a", "one") + [.eof])
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write("POST /p HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2\r\n\r\nhi"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ngot"),
        ])
        try await withConnectionPool(backend: backend) { pool in
            #expect(try await Self.text(try await pool.send(try Request(url: "http://example.com/a"))) == "one")
            let posted = try await pool.send(try Request(method: "POST", url: "http://example.com/p", body: .string("hi")))
            #expect(try await Self.text(posted) == "got")
        }
        #expect(backend.connectRecords.count == 2)
        #expect(backend.failures.isEmpty)
    }

    @Test func aRefusedConnectionIsTypedAndRetriedWithBackoff() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, .refuse)
        backend.expectConnect(host: "example.com", port: 80, script: Self.exchange("/", "ok"))
        var configuration = ConnectionPool.Configuration()
        configuration.retries = 1
        try await withConnectionPool(backend: backend, configuration: configuration) { pool in
            let request = Task { try await Self.text(try await pool.send(try Request(url: "http://example.com/"))) }
            try await backend.manualClock.waitForTimers(1) // the backoff sleep
            backend.manualClock.advance(by: .milliseconds(500))
            let ok = try await request.value
            #expect(ok == "ok")
        }

        let refusing = MockNetworkBackend()
        refusing.expectConnect(host: "example.com", port: 80, .refuse)
        let pool = try ConnectionPool(backend: refusing)
        await #expect { try await pool.send(try Request(url: "http://example.com/")) } throws: { error in
            let error = error as? HTTPCoreError
            return error?.code == .connectRefused && error?.isSafeToRetry == true
        }
        await pool.shutdown()
    }

    @Test func aQueuedRequestCancelledOrTimedOutLeavesTheQueue() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: Self.exchange("/a", "one") + Self.exchange("/c", "three"))
        var configuration = ConnectionPool.Configuration()
        configuration.maxConnections = 1
        let pool = try ConnectionPool(backend: backend, configuration: configuration)
        // The first response holds the only connection until its body is read.
        let first = try await pool.send(try Request(url: "http://example.com/a"))
        let queued = Task { try await pool.send(try Request(url: "http://example.com/b")) }
        var options = RequestOptions()
        options.timeouts.pool = .seconds(1)
        let timed = Task { try await pool.send(try Request(url: "http://example.com/b", options: options)) }
        // Both queued; the pool's one deadline timer sleeps until the earlier timeout.
        try await Self.until { pool.snapshot.queuedRequests == 2 && backend.manualClock.nextDeadline == HTTPInstant(nanoseconds: 1_000_000_000) }
        queued.cancel()
        let cancelled = await queued.result
        #expect((cancelled.failure as? HTTPCoreError)?.code == .cancelled)
        backend.manualClock.advance(by: .seconds(1))
        let timedOut = await timed.result
        #expect((timedOut.failure as? HTTPCoreError)?.code == .poolTimeout)
        // Neither left anything behind: the connection goes to the next request.
        #expect(try await Self.text(first) == "one")
        let third = try await Self.text(try await pool.send(try Request(url: "http://example.com/c")))
        #expect(third == "three")
        #expect(backend.connectRecords.count == 1)
        await pool.shutdown()
    }

    /// Pool timeouts of any number of waiting requests are enforced by one timer, which
    /// moves earlier when a shorter timeout arrives; a request served in time is not failed.
    @Test func poolTimeoutsShareOneTimer() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: Self.exchange("/a", "one") + Self.exchange("/late", "late"))
        var configuration = ConnectionPool.Configuration()
        configuration.maxConnections = 1
        let pool = try ConnectionPool(backend: backend, configuration: configuration)
        let first = try await pool.send(try Request(url: "http://example.com/a"))
        func send(_ path: String, timeout: Duration) -> Task<Response, any Error> {
            var options = RequestOptions()
            options.timeouts.pool = timeout
            return Task { try await pool.send(try Request(url: "http://example.com\(path)", options: options)) }
        }
        let late = send("/late", timeout: .seconds(3))
        try await Self.until { pool.snapshot.queuedRequests == 1 }
        let many = (0..<50).map { _ in send("/never", timeout: .seconds(1)) }
        try await Self.until { pool.snapshot.queuedRequests == 51 }
        let soonest = send("/never", timeout: .milliseconds(500))
        try await Self.until { pool.snapshot.queuedRequests == 52 && backend.manualClock.nextDeadline == HTTPInstant(nanoseconds: 500_000_000) }
        #expect(backend.manualClock.pendingTimers == 1)

        backend.manualClock.advance(by: .milliseconds(500))
        #expect(((await soonest.result).failure as? HTTPCoreError)?.code == .poolTimeout)
        #expect(pool.snapshot.queuedRequests == 51)
        backend.manualClock.advance(by: .milliseconds(500))
        for task in many { #expect(((await task.result).failure as? HTTPCoreError)?.code == .poolTimeout) }
        #expect(pool.snapshot.queuedRequests == 1)

        // The connection frees up before the last timeout: that request is served, and
        // its deadline passing later changes nothing.
        #expect(try await Self.text(first) == "one")
        #expect(try await Self.text(try await late.value) == "late")
        backend.manualClock.advance(by: .seconds(5))
        #expect(pool.snapshot.queuedRequests == 0 && pool.snapshot.connections.count == 1)
        #expect(backend.failures.isEmpty)
        await pool.shutdown()
    }

    /// Polls `condition` (state another task changes) for up to 10 s.
    static func until(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw HarnessError("condition not met within 10 s") }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test func afterShutdownRequestsFail() async throws {
        let backend = MockNetworkBackend()
        let pool = try ConnectionPool(backend: backend)
        await pool.shutdown()
        await #expect { try await pool.send(try Request(url: "http://example.com/")) } throws: { error in
            (error as? HTTPCoreError)?.code == .connectionUnavailable
        }
    }

    @Test func http1AndHTTP2AgainstNginx() async throws {
        let nginx = try await Nginx.start(tls: true)
        defer { nginx.stop() }
        let fixture = BackendKind.libuv.makeFixture()
        var configuration = ConnectionPool.Configuration()
        configuration.tls = .client(trustRoots: [.file(try TestPKI.shared().path("ca.pem"))])
        configuration.http2 = true
        configuration.maxConnections = 8
        try await withConnectionPool(backend: fixture.backend, configuration: configuration) { pool in
            // 200 requests, 16 at a time: HTTP/1.1 in clear text (at most 8 connections),
            // HTTP/2 over TLS (one connection carries them all).
            for (url, version) in [("http://127.0.0.1:\(nginx.port)/", HTTPVersion.http1_1), ("https://localhost:\(nginx.tlsPort!)/", .http2)] {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<200 {
                        if index >= 16 { try await group.next() }
                        group.addTask {
                            let response = try await pool.send(try Request(url: url))
                            #expect(response.version == version)
                            #expect(try await Self.text(response) == "hello from nginx\n")
                        }
                    }
                    try await group.waitForAll()
                }
            }
            let lines = pool.connections
            #expect(lines.filter { $0.contains("HTTP/1.1") }.count <= 8)
            #expect(lines.filter { $0.contains("HTTP/2") }.count == 1)
            #expect(lines.allSatisfy { $0.contains("IDLE") }, "\(lines)")
        }
        await fixture.shutdown()
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
