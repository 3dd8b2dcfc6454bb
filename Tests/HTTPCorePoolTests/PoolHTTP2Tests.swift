import HTTPCore
import HTTPCoreHTTP2
import HTTPCoreMock
import HTTPCorePool
import HTTPCoreTestSupport
import Testing

/// An h2c origin on the mock backend: every connection the pool makes to
/// `example.com:80` reaches an `HTTP2TestServer` of its own.
final class MockHTTP2Origin: Sendable {
    let backend = MockNetworkBackend()
    private let servers = Locked<[HTTP2TestServer]>([])
    private let accepting: Task<Void, Never>

    init(maxConcurrentStreams: UInt32) async throws {
        let listener = try await backend.listenTCP(host: "example.com", port: 80, options: ListenOptions())
        accepting = Task { [servers] in
            while let stream = try? await listener.accept() {
                guard let server = try? HTTP2TestServer(stream: stream, maxConcurrentStreams: maxConcurrentStreams) else { return }
                servers.withLock { $0.append(server) }
                Task { await server.run() }
            }
        }
    }

    var connections: [HTTP2TestServer] { servers.withLock { $0 } }

    func stop() { accepting.cancel() }

    static var h2c: ConnectionPool.Configuration {
        var configuration = ConnectionPool.Configuration()
        configuration.http1 = false
        configuration.http2 = true
        return configuration
    }
}

@Suite struct PoolHTTP2Tests {
    @Test func fansOutWhenEveryConnectionIsAtThePeersStreamLimit() async throws {
        let origin = try await MockHTTP2Origin(maxConcurrentStreams: 2)
        defer { origin.stop() }
        var configuration = MockHTTP2Origin.h2c
        configuration.maxHTTP2ConnectionsPerOrigin = 3
        let pool = try ConnectionPool(backend: origin.backend, configuration: configuration)
        // Seven requests that never get an answer: 3 connections × 2 streams, one waits.
        let requests = (0..<7).map { _ in Task { try await pool.send(try Request(url: "http://example.com/never")) } }
        await waitUntil("six streams open and one request queued") {
            pool.snapshot.activeRequests == 6 && pool.snapshot.queuedRequests == 1
                && origin.connections.reduce(0) { $0 + $1.requestHeads.count } == 6
        }
        let connections = pool.snapshot.connections
        #expect(connections.count == 3)
        #expect(connections.allSatisfy { $0.version == .http2 && $0.requestLimit == 2 && $0.requestsInUse == 2 })
        for request in requests { request.cancel() }
        for request in requests { #expect((await request.result.failure as? HTTPCoreError)?.code == .cancelled) }
        await waitUntil("every stream is released") { pool.snapshot.activeRequests == 0 && pool.snapshot.queuedRequests == 0 }
        // Every stream a server saw was reset with CANCEL (8). (The queued request may
        // get a slot freed by a cancellation and be cancelled before its HEADERS leave.)
        await waitUntil("the servers saw every stream reset") {
            origin.connections.allSatisfy { $0.resetsReceived.count == $0.requestHeads.count }
        }
        #expect(origin.connections.reduce(0) { $0 + $1.requestHeads.count } >= 6)
        #expect(origin.connections.allSatisfy { $0.resetsReceived.allSatisfy { $0.code == 8 } })
        #expect(pool.snapshot.connections.allSatisfy { $0.state == .idle })
        await pool.shutdown()
    }

    @Test func aSettingsChangeReachesThePoolAndItsEvents() async throws {
        let origin = try await MockHTTP2Origin(maxConcurrentStreams: 1)
        defer { origin.stop() }
        var configuration = MockHTTP2Origin.h2c
        configuration.maxHTTP2ConnectionsPerOrigin = 1
        let pool = try ConnectionPool(backend: origin.backend, configuration: configuration)
        let events = pool.events()
        let requests = (0..<3).map { _ in Task { try await pool.send(try Request(url: "http://example.com/never")) } }
        await waitUntil("one stream open, two queued") {
            pool.snapshot.activeRequests == 1 && pool.snapshot.queuedRequests == 2 && origin.connections.count == 1
        }
        // The server raises its limit: the queued two go out at once on the same connection.
        await (try #require(origin.connections.first)).perform { $0.changeMaxConcurrentStreams(to: 10) }
        await waitUntil("three streams open") { pool.snapshot.activeRequests == 3 }
        #expect(pool.snapshot.connections.map(\.requestLimit) == [10])
        for request in requests { request.cancel() }
        for request in requests { _ = await request.result }
        await pool.shutdown()
        var limits: [Int] = []
        for await event in events {
            if case .requestLimitChanged(_, _, let limit) = event { limits.append(limit) }
        }
        #expect(limits == [1, 10] || limits == [10]) // 1 when it came after the connect
    }

    @Test func aGoAwayWhileIdleRetiresTheConnectionAndTheNextRequestGetsANewOne() async throws {
        let origin = try await MockHTTP2Origin(maxConcurrentStreams: 100)
        defer { origin.stop() }
        try await withConnectionPool(backend: origin.backend, configuration: MockHTTP2Origin.h2c) { pool in
            let first = try await pool.send(try Request(url: "http://example.com/hello"))
            #expect(String(decoding: try await first.body.collect(upTo: 1 << 10), as: UTF8.self) == "hello")
            await (try #require(origin.connections.first)).perform { $0.goAway(code: 0) }
            await waitUntil("the pool drops the connection") { pool.snapshot.connections.isEmpty }
            let second = try await pool.send(try Request(url: "http://example.com/hello"))
            #expect(String(decoding: try await second.body.collect(upTo: 1 << 10), as: UTF8.self) == "hello")
            #expect(origin.connections.count == 2)
        }
    }

    @Test func aBurstOfRequestsSharesOneConnection() async throws {
        let origin = try await MockHTTP2Origin(maxConcurrentStreams: 100)
        defer { origin.stop() }
        try await withConnectionPool(backend: origin.backend, configuration: MockHTTP2Origin.h2c) { pool in
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        let response = try await pool.send(try Request(url: "http://example.com/hello"))
                        return String(decoding: try await response.body.collect(upTo: 1 << 10), as: UTF8.self)
                    }
                }
                for try await text in group { #expect(text == "hello") }
            }
            // No fan-out on a guess before the server's SETTINGS arrived.
            #expect(origin.connections.count == 1)
            #expect(pool.snapshot.connections.map(\.requestCount) == [50])
        }
    }
}
