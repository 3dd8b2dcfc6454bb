import HTTPCore
import HTTPCoreMock
import HTTPCorePool
import HTTPCoreTestSupport
import Testing

/// One total deadline, fixed when the request enters the pool, bounds every await of the
/// request: the queue, connecting, TLS, a proxy handshake, the exchange and the body, over
/// HTTP/1.1 and HTTP/2, on the manual clock. Every read timeout here is 30 s and the pool
/// timeout 30 s, so a failure at 2 s can only be the total deadline.
@Suite struct TotalDeadlineTests {
    enum Wire: String, CaseIterable, Sendable { case http1, http2 }

    static func options(total: Duration = .seconds(2)) -> RequestOptions {
        var options = RequestOptions()
        options.timeouts = Timeouts(connect: .seconds(30), read: .seconds(30), write: .seconds(30), pool: .seconds(30), total: total)
        return options
    }

    static func configuration(_ wire: Wire) -> ConnectionPool.Configuration {
        var configuration = ConnectionPool.Configuration()
        configuration.connectTimeout = .seconds(30)
        if wire == .http2 {
            configuration.http1 = false
            configuration.http2 = true
        }
        return configuration
    }

    /// Runs `send` in a task and reports whether it has finished, so a test can show that
    /// a request is still waiting just before its deadline.
    final class Tracked: Sendable {
        let task: Task<Response, any Error>
        private let done = Locked(false)

        init(_ send: @escaping @Sendable () async throws -> Response) {
            let done = self.done
            task = Task {
                defer { done.withLock { $0 = true } }
                return try await send()
            }
        }

        var isFinished: Bool { done.withLock { $0 } }

        func failure() async -> HTTPCoreError? { await task.result.failure as? HTTPCoreError }
    }

    /// Advances to just before `deadline` (the request must still wait), then to it.
    static func expectFailure(_ tracked: Tracked, at deadline: HTTPInstant, clock: ManualClock, sourceLocation: SourceLocation = #_sourceLocation) async -> HTTPCoreError? {
        clock.advance(to: deadline + .milliseconds(-1))
        for _ in 0..<200 { await Task.yield() }
        #expect(!tracked.isFinished, "the request ended before its deadline", sourceLocation: sourceLocation)
        clock.advance(to: deadline)
        // A request that ignores its deadline fails the test instead of hanging it.
        await waitUntil("the request ends at its deadline", sourceLocation: sourceLocation) { tracked.isFinished }
        tracked.task.cancel()
        let error = await tracked.failure()
        #expect(error?.code == .totalTimeout, "\(String(describing: error))", sourceLocation: sourceLocation)
        return error
    }

    // MARK: - Before a connection: queue, connect, TLS, proxy

    @Test(arguments: Wire.allCases)
    func aRequestWaitingWhileTheConnectHangsFailsAtItsDeadlineAndTheAttemptIsAbandoned(_ wire: Wire) async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, .hang)
        let pool = try ConnectionPool(backend: backend, configuration: Self.configuration(wire))
        let tracked = Tracked { try await pool.send(try Request(url: "http://example.com/", options: Self.options())) }
        try await backend.manualClock.waitForTimers(2) // the connect's 30 s and the request's 2 s
        let error = await Self.expectFailure(tracked, at: HTTPInstant(nanoseconds: 2_000_000_000), clock: backend.manualClock)
        #expect(error?.isSafeToRetry == true)
        await waitUntil("the connect attempt is abandoned") { pool.snapshot.connections.isEmpty && pool.snapshot.queuedRequests == 0 }
        await pool.shutdown()
    }

    @Test func aRequestsConnectTimeoutActsWhenSmallerThanThePools() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, .hang)
        let pool = try ConnectionPool(backend: backend, configuration: Self.configuration(.http1))
        let options = {
            var options = Self.options(total: .seconds(60))
            options.timeouts.connect = .seconds(1)
            return options
        }()
        let tracked = Tracked { try await pool.send(try Request(url: "http://example.com/", options: options)) }
        try await backend.manualClock.waitForTimers(2)
        #expect(backend.connectRecords.first?.options.timeout == .seconds(1))
        backend.manualClock.advance(by: .seconds(1))
        #expect(await tracked.failure()?.code == .connectTimeout)
        await pool.shutdown()

        // And the pool's when that is the smaller one.
        let second = MockNetworkBackend()
        second.expectConnect(host: "example.com", port: 80, .hang)
        var configuration = Self.configuration(.http1)
        configuration.connectTimeout = .milliseconds(300)
        let other = try ConnectionPool(backend: second, configuration: configuration)
        let request = Task { try await other.send(try Request(url: "http://example.com/", options: options)) }
        try await second.manualClock.waitForTimers(2)
        #expect(second.connectRecords.first?.options.timeout == .milliseconds(300))
        second.manualClock.advance(by: .milliseconds(300))
        #expect((await request.result.failure as? HTTPCoreError)?.code == .connectTimeout)
        await other.shutdown()
    }

    @Test(arguments: Wire.allCases)
    func aTLSHandshakeThatNeverFinishesEndsAtTheDeadline(_ wire: Wire) async throws {
        let backend = MockNetworkBackend()
        // The ClientHello goes out (a TLS record), and the server never answers.
        backend.expectConnect(host: "example.com", port: 443, script: [.writePrefix([0x16, 0x03])])
        let pool = try ConnectionPool(backend: backend, configuration: Self.configuration(wire))
        let tracked = Tracked { try await pool.send(try Request(url: "https://example.com/", options: Self.options())) }
        await waitUntil("the ClientHello is written") { backend.streams.first?.written.isEmpty == false }
        try await backend.manualClock.waitForTimers(2)
        _ = await Self.expectFailure(tracked, at: HTTPInstant(nanoseconds: 2_000_000_000), clock: backend.manualClock)
        await waitUntil("the half-open TLS connection is closed") { backend.streams.first?.isClosed == true }
        await pool.shutdown()
    }

    @Test func aProxyHandshakeThatNeverAnswersEndsAtTheDeadline() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "proxy.test", port: 3128, script: [
            .write("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"),
        ])
        var configuration = Self.configuration(.http1)
        configuration.proxy = try Proxy(url: "http://proxy.test:3128")
        let pool = try ConnectionPool(backend: backend, configuration: configuration)
        let tracked = Tracked { try await pool.send(try Request(url: "https://example.com/", options: Self.options())) }
        await waitUntil("the CONNECT is written") { backend.streams.first?.written.isEmpty == false }
        try await backend.manualClock.waitForTimers(2)
        _ = await Self.expectFailure(tracked, at: HTTPInstant(nanoseconds: 2_000_000_000), clock: backend.manualClock)
        await waitUntil("the proxy connection is closed") { backend.streams.first?.isClosed == true }
        #expect(backend.failures.isEmpty)
        await pool.shutdown()
    }

    // MARK: - On a connection: queue then exchange, body

    /// The deadline is one instant: 1.5 s spent queued leaves 0.5 s for the exchange.
    @Test(arguments: Wire.allCases)
    func timeInTheQueueCountsAgainstTheExchange(_ wire: Wire) async throws {
        let origin = try await StallingOrigin(wire, maxConcurrentStreams: 1)
        var configuration = Self.configuration(wire)
        configuration.maxConnections = 1
        configuration.maxHTTP2ConnectionsPerOrigin = 1
        let pool = try ConnectionPool(backend: origin.backend, configuration: configuration)
        let clock = origin.backend.manualClock
        // The first response holds the only connection (HTTP/1.1) or stream slot (HTTP/2).
        let first = try await pool.send(try Request(url: "http://example.com/partial", options: Self.options(total: .seconds(60))))
        let queued = Tracked { try await pool.send(try Request(url: "http://example.com/never", options: Self.options())) }
        await waitUntil("the second request is queued") { pool.snapshot.queuedRequests == 1 }
        try await clock.waitForTimers(1)
        clock.advance(by: .milliseconds(1500))
        #expect(!queued.isFinished)
        // Dropping the first body releases its connection or stream to the queued request.
        _ = try? await first.body.collect(upTo: 0)
        await waitUntil("the second request is on the wire") { pool.snapshot.queuedRequests == 0 && origin.requestsSeen >= 2 }
        _ = await Self.expectFailure(queued, at: HTTPInstant(nanoseconds: 2_000_000_000), clock: clock)
        await pool.shutdown()
    }

    @Test(arguments: Wire.allCases)
    func aResponseHeadThatNeverComesEndsAtTheDeadline(_ wire: Wire) async throws {
        let origin = try await StallingOrigin(wire)
        let pool = try ConnectionPool(backend: origin.backend, configuration: Self.configuration(wire))
        let tracked = Tracked { try await pool.send(try Request(url: "http://example.com/never", options: Self.options())) }
        await waitUntil("the request is on the wire") { origin.requestsSeen == 1 }
        _ = await Self.expectFailure(tracked, at: HTTPInstant(nanoseconds: 2_000_000_000), clock: origin.backend.manualClock)
        await waitUntil("the request is released") { pool.snapshot.activeRequests == 0 }
        if wire == .http2 {
            // The stream was reset and the connection still serves.
            await waitUntil("the server saw the reset") { origin.http2Servers.first?.resetsReceived.count == 1 }
            let hello = try await pool.send(try Request(url: "http://example.com/hello"))
            #expect(String(decoding: try await hello.body.collect(upTo: 100), as: UTF8.self) == "hello")
        }
        await pool.shutdown()
    }

    @Test(arguments: Wire.allCases)
    func aBodyThatStallsEndsAtTheDeadline(_ wire: Wire) async throws {
        let origin = try await StallingOrigin(wire)
        let pool = try ConnectionPool(backend: origin.backend, configuration: Self.configuration(wire))
        let clock = origin.backend.manualClock
        let response = try await pool.send(try Request(url: "http://example.com/partial", options: Self.options()))
        clock.advance(by: .seconds(1))
        let readingDone = Locked(false)
        let reading = Task {
            var received = 0
            defer { readingDone.withLock { $0 = true } }
            do {
                for try await chunk in response.body { received += chunk.count }
                return (received, nil as HTTPCoreError?)
            } catch {
                return (received, error as? HTTPCoreError)
            }
        }
        try await clock.waitForTimers(1)
        clock.advance(by: .milliseconds(999))
        for _ in 0..<200 { await Task.yield() }
        clock.advance(by: .milliseconds(1))
        await waitUntil("the body read ends at the deadline") { readingDone.withLock { $0 } }
        reading.cancel()
        let (received, error) = await reading.value
        #expect(received == 5)
        #expect(error?.code == .totalTimeout)
        await waitUntil("the request is released") { pool.snapshot.activeRequests == 0 }
        // HTTP/1.1 cannot reuse a connection whose body was cut short.
        if wire == .http1 { await waitUntil("the connection is closed") { pool.snapshot.connections.isEmpty } }
        await pool.shutdown()
    }
}

