import CoreMetrics
import HTTPCore
import HTTPCoreClient
import HTTPCoreMetrics
import HTTPCoreMock
import HTTPTypes
import MetricsTestKit
import Testing

/// `HTTPClientMetrics` over the mock backend's scripted peers, into a `TestMetrics` of
/// each test's own (the global `MetricsSystem` is never bootstrapped).
@Suite struct HTTPClientMetricsTests {
    static func configuration(_ backend: MockNetworkBackend, _ metrics: TestMetrics) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        configuration.headers = []
        configuration.decoding = nil
        configuration.retries = .off
        configuration.observers = [HTTPClientMetrics(factory: metrics)]
        return configuration
    }

    static let get2xx = [("http.request.method", "GET"), ("http.response.status_code", "2xx")]

    @Test func aRequestIsCountedTimedAndSizedByMethodAndStatusClass() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "a.test", port: 80, script: [
            .write("POST /submit HTTP/1.1\r\nHost: a.test\r\nContent-Length: 5\r\n\r\nhello"),
            .read("HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nyes"),
        ])
        let metrics = TestMetrics()
        try await withHTTPClient(Self.configuration(backend, metrics)) { client in
            let response = try await client.post("http://a.test/submit", body: .string("hello"))
            #expect(response.statusCode == 201)
        }
        #expect(backend.failures.isEmpty, "\(backend.failures)")
        let byStatus = [("http.request.method", "POST"), ("http.response.status_code", "2xx")]
        #expect(try metrics.expectCounter("httpcore.client.requests", byStatus).totalValue == 1)
        #expect(try metrics.expectTimer("http.client.request.duration", byStatus).values.count == 1)
        #expect(try metrics.expectRecorder("http.client.request.body.size", [("http.request.method", "POST")]).values == [5])
        #expect(try metrics.expectRecorder("http.client.response.body.size", byStatus).values == [3])
        #expect(try metrics.expectTimer("http.client.request.time_in_queue", [("http.request.method", "POST")]).values.count == 1)
        #expect(metrics.counters(label: "httpcore.client.errors").isEmpty)
        // The labels are exactly these: no series with other dimensions.
        #expect(metrics.counters.map(\.label) == ["httpcore.client.requests"])
        #expect(metrics.counters(label: "httpcore.client.requests").map { $0.dimensions.map(\.1) } == [["POST", "2xx"]])
    }

    /// A redirect hop is a request on the wire of its own: one 3xx and one 2xx.
    @Test func eachRedirectHopCountsOnce() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "a.test", port: 80, script: [
            .write("GET /1 HTTP/1.1\r\nHost: a.test\r\n\r\n"),
            .read("HTTP/1.1 302 Found\r\nLocation: http://b.test/2\r\nContent-Length: 0\r\n\r\n"),
        ])
        backend.expectConnect(host: "b.test", port: 80, script: [
            .write("GET /2 HTTP/1.1\r\nHost: b.test\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        let metrics = TestMetrics()
        try await withHTTPClient(Self.configuration(backend, metrics)) { client in
            _ = try await client.get("http://a.test/1")
        }
        #expect(try metrics.expectCounter("httpcore.client.requests", [("http.request.method", "GET"), ("http.response.status_code", "3xx")]).totalValue == 1)
        #expect(try metrics.expectCounter("httpcore.client.requests", Self.get2xx).totalValue == 1)
        #expect(metrics.counterTotal(label: "httpcore.client.requests") == 2)
        #expect(try metrics.expectRecorder("http.client.response.body.size", Self.get2xx).values == [2])
    }

    @Test func aFailureIsCountedByCategoryWithNoStatus() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "a.test", port: 80, .refuse)
        let metrics = TestMetrics()
        try await withHTTPClient(Self.configuration(backend, metrics)) { client in
            await #expect(throws: HTTPCoreError.self) { try await client.get("http://a.test/") }
        }
        #expect(try metrics.expectCounter("httpcore.client.errors", [("http.request.method", "GET"), ("error.type", "network(connect)")]).totalValue == 1)
        let none = [("http.request.method", "GET"), ("http.response.status_code", "none")]
        #expect(try metrics.expectCounter("httpcore.client.requests", none).totalValue == 1)
        #expect(try metrics.expectTimer("http.client.request.duration", none).values.count == 1)
        #expect(metrics.recorders(label: "http.client.response.body.size").isEmpty)
    }

    /// A refused connect the client retries: the failed attempt counts as an error and a
    /// request without status, then the retry as a 2xx.
    @Test func aRetriedFailureCountsAsAnAttemptOfItsOwn() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "a.test", port: 80, .refuse)
        backend.expectConnect(host: "a.test", port: 80, script: [
            .write("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        let metrics = TestMetrics()
        var configuration = Self.configuration(backend, metrics)
        configuration.retries = RetryPolicy(maxRetries: 1, baseDelay: .zero, jitter: .none)
        try await withHTTPClient(configuration) { client in
            let status = try await client.get("http://a.test/").statusCode
            #expect(status == 200)
        }
        #expect(backend.failures.isEmpty, "\(backend.failures)")
        #expect(try metrics.expectCounter("httpcore.client.errors", [("http.request.method", "GET"), ("error.type", "network(connect)")]).totalValue == 1)
        #expect(try metrics.expectCounter("httpcore.client.requests", [("http.request.method", "GET"), ("http.response.status_code", "none")]).totalValue == 1)
        #expect(try metrics.expectCounter("httpcore.client.requests", Self.get2xx).totalValue == 1)
    }

    /// A method outside RFC 9110's set is `_OTHER`: a client cannot mint series.
    @Test func anUnknownMethodIsOther() {
        #expect(MetricDimensions.method(HTTPRequest.Method("PURGE")!) == "_OTHER")
        #expect(MetricDimensions.method(.patch) == "PATCH")
        #expect(MetricDimensions.statusClass(404) == "4xx")
        #expect(MetricDimensions.statusClass(nil) == "none")
    }
}
