import CoreMetrics
import HTTPCore
import HTTPCoreClient
@testable import HTTPCoreMetrics
import HTTPCoreMock
import HTTPCorePool
import HTTPCoreTestSupport
import MetricsTestKit
import Testing

/// `PoolMetricsReporter`: gauges from a snapshot by value, and `run()` over a real pool's
/// events on the mock backend.
@Suite struct PoolMetricsReporterTests {
    static let origin = [("server.address", "a.test"), ("server.port", "443"), ("url.scheme", "https")]

    static func connection(_ id: Int, _ state: PoolSnapshot.ConnectionEntry.State, _ version: HTTPVersion?, inUse: Int, limit: Int) -> PoolSnapshot.ConnectionEntry {
        PoolSnapshot.ConnectionEntry(id: id, state: state, version: version, requestsInUse: inUse, requestLimit: limit, idleFor: nil, requestCount: inUse)
    }

    @Test func gaugesFollowTheSnapshotAndGoToZeroWhenItsSeriesEmpty() throws {
        let pool = try ConnectionPool(backend: MockNetworkBackend())
        let metrics = TestMetrics()
        let reporter = PoolMetricsReporter(pool: pool, factory: metrics)
        let https = Origin(scheme: "https", host: "a.test", port: 443)
        reporter.report(PoolSnapshot(origins: [
            PoolSnapshot.OriginEntry(origin: https, connections: [
                Self.connection(1, .active, .http2, inUse: 3, limit: 100),
                Self.connection(2, .active, .http2, inUse: 1, limit: 50),
                Self.connection(3, .idle, .http1_1, inUse: 0, limit: 1),
                Self.connection(4, .connecting, nil, inUse: 0, limit: 0),
            ], queuedRequests: 2),
        ]))
        let activeH2 = [("http.connection.state", "active")] + Self.origin + [("network.protocol.version", "2")]
        let idleH1 = [("http.connection.state", "idle")] + Self.origin + [("network.protocol.version", "1.1")]
        #expect(try metrics.expectGauge("http.client.open_connections", activeH2).lastValue == 2)
        #expect(try metrics.expectGauge("http.client.open_connections", idleH1).lastValue == 1)
        #expect(metrics.recorders(label: "http.client.open_connections").count == 2)
        #expect(try metrics.expectGauge("httpcore.pool.queued_requests", Self.origin).lastValue == 2)
        #expect(try metrics.expectGauge("httpcore.pool.http2.streams_in_use", Self.origin).lastValue == 4)
        #expect(try metrics.expectGauge("httpcore.pool.http2.stream_limit", Self.origin).lastValue == 150)

        reporter.report(PoolSnapshot(origins: []))
        #expect(try metrics.expectGauge("http.client.open_connections", activeH2).lastValue == 0)
        #expect(try metrics.expectGauge("http.client.open_connections", idleH1).lastValue == 0)
        #expect(try metrics.expectGauge("httpcore.pool.queued_requests", Self.origin).lastValue == 0)
        #expect(try metrics.expectGauge("httpcore.pool.http2.streams_in_use", Self.origin).lastValue == 0)
    }

    /// `run()` over an HTTPClient's pool: the connection shows active while the response
    /// is read, idle after, and the run ends with the pool's shutdown, at zero.
    @Test func runFollowsTheClientsPoolUntilItShutsDown() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "a.test", port: 80, script: [
            .write("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        configuration.headers = []
        configuration.decoding = nil
        let client = try HTTPClient(configuration: configuration)
        let metrics = TestMetrics()
        let reporter = try #require(PoolMetricsReporter(client: client, factory: metrics))
        let events = try #require(client.pool).events()
        let running = Task { await reporter.run(following: events) }
        let origin = [("server.address", "a.test"), ("server.port", "80"), ("url.scheme", "http")]
        let active = [("http.connection.state", "active")] + origin + [("network.protocol.version", "1.1")]
        let idle = [("http.connection.state", "idle")] + origin + [("network.protocol.version", "1.1")]
        try await client.stream(.get, "http://a.test/") { response in
            await waitUntil("the connection is reported active") { (try? metrics.expectGauge("http.client.open_connections", active).lastValue) == 1 }
            let body = try await response.body.collect(upTo: 100)
            #expect(body == Array("ok".utf8))
        }
        await waitUntil("the connection is reported idle") { (try? metrics.expectGauge("http.client.open_connections", idle).lastValue) == 1 }
        #expect(try metrics.expectGauge("http.client.open_connections", active).lastValue == 0)
        await client.shutdown()
        await running.value
        #expect(try metrics.expectGauge("http.client.open_connections", active).values.contains(1))
        #expect(try metrics.expectGauge("http.client.open_connections", idle).lastValue == 0)
    }
    @Test func aClientWithATransportHasNoPoolToReport() throws {
        var configuration = HTTPClient.Configuration()
        configuration.transport = try ConnectionPool(backend: MockNetworkBackend())
        let client = try HTTPClient(configuration: configuration)
        #expect(PoolMetricsReporter(client: client, factory: TestMetrics()) == nil)
    }
}
