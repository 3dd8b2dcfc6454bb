import CoreMetrics
import HTTPCore
import HTTPCoreClient
import HTTPCoreMetrics
import HTTPCoreMock
import HTTPCoreServer
import HTTPCoreTestSupport
import HTTPTypes
import MetricsTestKit
import Testing

/// `HTTPServerMetrics` fed by a real `HTTPServer`'s events, on the mock backend's
/// in-memory connections, answered by `HTTPClient` over HTTP/1.1.
@Suite struct HTTPServerMetricsTests {
    struct Refused: Error {}

    @Test func connectionsRequestsDurationsAndFailuresAreRecorded() async throws {
        let backend = MockNetworkBackend()
        let metrics = TestMetrics()
        let serverMetrics = HTTPServerMetrics(factory: metrics)
        var configuration = HTTPServer.Configuration()
        configuration.onEvent = serverMetrics.record
        let server = try await HTTPServer.start(backend: backend, configuration: configuration) { request, response in
            switch request.head.path {
            case "/ok": try await response.respond(HTTPResponse(status: .ok), body: Array("hello".utf8))
            case "/boom": throw Refused()
            default: try await response.respond(HTTPResponse(status: .notFound))
            }
        }
        guard case .inet(_, let port) = server.localAddress else { throw HTTPCoreError(.connectFailed, "no TCP address") }
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.backend = backend
        clientConfiguration.retries = .off
        try await withHTTPClient(clientConfiguration) { client in
            let statuses = [
                try await client.get("http://127.0.0.1:\(port)/ok").statusCode,
                try await client.get("http://127.0.0.1:\(port)/missing").statusCode,
                try await client.get("http://127.0.0.1:\(port)/boom").statusCode,
            ]
            #expect(statuses == [200, 404, 500])
            let open = try metrics.expectMeter("httpcore.server.active_connections").lastValue
            #expect(open == 1)
        }
        // The server forgets the connection just before it reports its end: wait for the report.
        await waitUntil("the server reported the connection's end") {
            !metrics.counters(label: "httpcore.server.connections_ended").isEmpty
        }
        await server.shutdown()

        // One connection, open for the three requests, one at a time.
        #expect(try metrics.expectMeter("httpcore.server.active_connections").values == [1, 0])
        #expect(try metrics.expectCounter("httpcore.server.connections_ended", [("httpcore.connection.end", "closed")]).totalValue == 1)
        #expect(try metrics.expectMeter("http.server.active_requests", [("http.request.method", "GET")]).values == [1, 0, 1, 0, 1, 0])
        for status in ["2xx", "4xx", "5xx"] {
            let dimensions = [("http.request.method", "GET"), ("http.response.status_code", status), ("network.protocol.version", "1.1")]
            #expect(try metrics.expectTimer("http.server.request.duration", dimensions).values.count == 1, "\(status)")
        }
        #expect(try metrics.expectRecorder("http.server.response.body.size", [("http.request.method", "GET"), ("http.response.status_code", "2xx")]).values == [5])
        #expect(try metrics.expectCounter("httpcore.server.errors", [("error.type", "handler")]).totalValue == 1)
        #expect(metrics.timers(label: "http.server.request.duration").count == 3)
    }

    /// A connection closed at accept (`maxConnections`) ends as `refused` and never
    /// counted as open.
    @Test func aRefusedConnectionIsCountedAndNeverOpen() throws {
        let metrics = TestMetrics()
        let serverMetrics = HTTPServerMetrics(factory: metrics)
        serverMetrics.record(.connectionEnded(.refused, duration: .zero, connection: nil))
        #expect(try metrics.expectMeter("httpcore.server.active_connections").values.isEmpty)
        #expect(try metrics.expectCounter("httpcore.server.connections_ended", [("httpcore.connection.end", "refused")]).totalValue == 1)
    }

    @Test func refusedStreamsAreCountedByTheirNumber() throws {
        let metrics = TestMetrics()
        let serverMetrics = HTTPServerMetrics(factory: metrics)
        serverMetrics.record(.streamsRefused(count: 3, connection: 1))
        serverMetrics.record(.streamsRefused(count: 1, connection: 2))
        #expect(try metrics.expectCounter("httpcore.server.refused_streams").totalValue == 4)
    }
}
