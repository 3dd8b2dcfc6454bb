import HTTPCore
import HTTPCorePool
import HTTPCoreTestSupport
import Testing

/// `Response.streamControl` survives the pool's rewrapping of the body: a caller of the
/// pool can reprioritise an HTTP/2 stream and ping its connection.
@Suite struct PoolStreamControlTests {
    @Test func anHTTP2ResponseThroughThePoolUpdatesItsPriority() async throws {
        let origin = try await MockHTTP2Origin(maxConcurrentStreams: 100)
        defer { origin.stop() }
        try await withConnectionPool(backend: origin.backend, configuration: MockHTTP2Origin.h2c) { pool in
            let response = try await pool.send(try Request(url: "http://example.com/partial"))
            let control = try #require(response.streamControl)
            #expect(await control.updatePriority(to: Priority(urgency: 0, incremental: true)))
            await waitUntil("the server got PRIORITY_UPDATE") { origin.connections.first?.priorityUpdatesReceived.isEmpty == false }
            let updates = try #require(origin.connections.first).priorityUpdatesReceived
            #expect(updates.map(\.stream) == [1])
            #expect(updates.map(\.value) == ["u=0, i"])
            response.body.close()
            // Once the stream is gone there is nothing to reprioritise.
            await waitUntil("the stream is released") { pool.snapshot.activeRequests == 0 }
            #expect(await control.updatePriority(to: Priority(urgency: 1)) == false)
        }
    }

    @Test func anHTTP2ResponseThroughThePoolPingsItsConnection() async throws {
        let origin = try await MockHTTP2Origin(maxConcurrentStreams: 100)
        defer { origin.stop() }
        try await withConnectionPool(backend: origin.backend, configuration: MockHTTP2Origin.h2c) { pool in
            let response = try await pool.send(try Request(url: "http://example.com/hello"))
            let control = try #require(response.streamControl)
            let whileReading = try await control.pingConnection()
            #expect(whileReading >= .zero)
            #expect(String(decoding: try await response.body.collect(upTo: 1 << 10), as: UTF8.self) == "hello")
            // The connection outlives the stream: back in the pool, it still answers.
            let afterwards = try await control.pingConnection()
            #expect(afterwards >= .zero)
            #expect(origin.connections.count == 1)
            #expect(pool.snapshot.connections.map(\.state) == [.idle])
        }
    }

    @Test func anHTTP1ResponseThroughThePoolHasNoStreamControl() async throws {
        let origin = try await MockHTTP1Origin()
        defer { origin.stop() }
        try await withConnectionPool(backend: origin.backend) { pool in
            let response = try await pool.send(try Request(url: "http://example.com/"))
            #expect(response.version == .http1_1)
            #expect(response.streamControl == nil)
            #expect(String(decoding: try await response.body.collect(upTo: 1 << 10), as: UTF8.self) == "hello")
        }
    }
}
