import HTTPCore
import HTTPCoreMock
import HTTPCorePool
import HTTPCoreTestSupport
import Testing

/// The snapshot, the event stream and idle expiry, over the mock backend and its manual
/// clock.
@Suite struct PoolIntrospectionTests {
    let origin = Origin(scheme: "http", host: "example.com", port: 80)

    @Test func eventsFollowARequestAndTheSnapshotShowsTheConnection() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: ConnectionPoolTests.exchange("/a", "one") + ConnectionPoolTests.exchange("/b", "two"))
        let pool = try ConnectionPool(backend: backend)
        let events = pool.events()
        let response = try await pool.send(try Request(url: "http://example.com/a"))
        var snapshot = pool.snapshot
        #expect(snapshot.activeRequests == 1)
        #expect(snapshot.connections.map(\.state) == [.active])
        _ = try await ConnectionPoolTests.text(response)
        backend.manualClock.advance(by: .seconds(2))
        snapshot = pool.snapshot
        #expect(snapshot.origins.map(\.origin) == [origin])
        #expect(snapshot.connections == [PoolSnapshot.ConnectionEntry(
            id: 1, state: .idle, version: .http1_1, requestsInUse: 0, requestLimit: 1, idleFor: .seconds(2), requestCount: 1
        )])
        _ = try await ConnectionPoolTests.text(try await pool.send(try Request(url: "http://example.com/b")))
        await pool.shutdown()

        var seen: [PoolEvent] = []
        for await event in events { seen.append(event) }
        #expect(seen == [
            .connecting(connection: 1, origin: origin), // opened for the request, which waits for it
            .queued(origin: origin),
            .connected(connection: 1, origin: origin, version: .http1_1),
            .assigned(connection: 1, origin: origin),
            .released(connection: 1, origin: origin),
            .assigned(connection: 1, origin: origin),
            .released(connection: 1, origin: origin),
            .closed(connection: 1, origin: origin),
        ])
        #expect(pool.snapshot.origins.isEmpty)
    }

    @Test func idleConnectionsExpireOnTheTimerWithoutAnotherRequest() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: ConnectionPoolTests.exchange("/a", "one"))
        var configuration = ConnectionPool.Configuration()
        configuration.keepaliveExpiry = .seconds(5)
        let pool = try ConnectionPool(backend: backend, configuration: configuration)
        _ = try await ConnectionPoolTests.text(try await pool.send(try Request(url: "http://example.com/a")))
        #expect(pool.snapshot.connections.map(\.state) == [.idle])
        try await backend.manualClock.waitForTimers(1) // the pool's expiry timer
        backend.manualClock.advance(by: .seconds(4))
        await Task.yield()
        #expect(pool.snapshot.connections.count == 1) // not yet
        backend.manualClock.advance(by: .seconds(1))
        await waitUntil("the idle connection expires") { pool.snapshot.connections.isEmpty }
        await waitUntil("its stream closes") { backend.streams.first?.isClosed == true }
        #expect(backend.failures.isEmpty)
        await pool.shutdown()
    }

    @Test func aQueuedRequestShowsInTheSnapshotUntilItLeaves() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, .hang)
        var configuration = ConnectionPool.Configuration()
        configuration.maxConnections = 1
        let pool = try ConnectionPool(backend: backend, configuration: configuration)
        let first = Task { try await pool.send(try Request(url: "http://example.com/a")) }
        let second = Task { try await pool.send(try Request(url: "http://example.com/b")) }
        await waitUntil("both wait") { pool.snapshot.queuedRequests == 2 }
        #expect(pool.snapshot.connections.map(\.state) == [.connecting])
        second.cancel()
        await waitUntil("the cancelled one leaves") { pool.snapshot.queuedRequests == 1 }
        #expect(pool.snapshot.connections.map(\.state) == [.connecting]) // the first still wants it
        first.cancel()
        // Nobody waits for the attempt any more: abandoned, its place free at once.
        await waitUntil("the attempt is abandoned") { pool.snapshot.origins.isEmpty }
        #expect((await first.result.failure as? HTTPCoreError)?.code == .cancelled)
        #expect((await second.result.failure as? HTTPCoreError)?.code == .cancelled)
        await pool.shutdown()
    }

    @Test func eventsEndAtShutdownAndASubscriberAfterItGetsNone() async throws {
        let pool = try ConnectionPool(backend: MockNetworkBackend())
        let before = pool.events()
        await pool.shutdown()
        var count = 0
        for await _ in before { count += 1 }
        for await _ in pool.events() { count += 1 }
        #expect(count == 0)
    }
}
