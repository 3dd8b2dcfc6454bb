import HTTPCore
import HTTPCoreClient
import HTTPCoreMock
import HTTPCoreServer
import HTTPCoreTestSupport
import HTTPCoreTracing
import HTTPTypes
import InMemoryTracing
import Instrumentation
import Testing
import Tracing

/// `HTTPClientTracing` and `HTTPServerTracing` end to end: `HTTPClient` against
/// `HTTPServer` on the mock backend's in-memory connections, one W3C tracer for both
/// (injected, never bootstrapped), and the spans read back by value.
@Suite struct HTTPTracingTests {
    struct Refused: Error {}

    /// What the server saw: each request's `traceparent` and `ServiceContext.current`.
    final class Seen: Sendable {
        let traceparents = Locked<[String?]>([])
        let spanIDs = Locked<[String?]>([])
    }

    static func start(_ tracer: W3CInMemoryTracer, _ seen: Seen, backend: MockNetworkBackend) async throws -> (HTTPServer, Int) {
        let server = try await HTTPServer.start(backend: backend, HTTPServerTracing(tracer: tracer).wrap { request, response in
            seen.traceparents.withLock { $0.append(request.head.headerFields[HTTPField.Name("traceparent")!]) }
            seen.spanIDs.withLock { $0.append(ServiceContext.current?.inMemorySpanContext?.spanID) }
            switch request.head.path {
            case "/boom": throw Refused()
            case "/unavailable": try await response.respond(HTTPResponse(status: .serviceUnavailable))
            default: try await response.respond(HTTPResponse(status: .ok), body: Array("hello".utf8))
            }
        })
        guard case .inet(_, let port) = server.localAddress else { throw HTTPCoreError(.connectFailed, "no TCP address") }
        return (server, port)
    }

    static func client(_ backend: MockNetworkBackend, _ tracer: W3CInMemoryTracer) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        configuration.retries = .off
        configuration.observers = [HTTPClientTracing(tracer: tracer)]
        return configuration
    }

    @Test func theServerSpanIsTheChildOfTheClientSpanThroughTraceparent() async throws {
        let backend = MockNetworkBackend()
        let tracer = W3CInMemoryTracer()
        let seen = Seen()
        let (server, port) = try await Self.start(tracer, seen, backend: backend)
        // The caller's own span is the client span's parent.
        let parent = tracer.startSpan("caller", context: .topLevel)
        try await withHTTPClient(Self.client(backend, tracer)) { client in
            let status = try await ServiceContext.withValue(parent.context) {
                try await client.get("http://user:secret@127.0.0.1:\(port)/hello?key=secret&flag").statusCode
            }
            #expect(status == 200)
        }
        parent.end()
        await server.shutdown()

        let spans = tracer.finishedSpans
        let clientSpan = try #require(spans.first { $0.kind == .client })
        let serverSpan = try #require(spans.first { $0.kind == .server })
        #expect(clientSpan.operationName == "GET")
        #expect(clientSpan.parentSpanID == parent.context.inMemorySpanContext?.spanID)
        #expect(clientSpan.attributes["http.request.method"]?.toSpanAttribute() == "GET")
        #expect(clientSpan.attributes["url.full"]?.toSpanAttribute() == .string("http://127.0.0.1:\(port)/hello?key=REDACTED&flag"))
        #expect(clientSpan.attributes["server.address"]?.toSpanAttribute() == "127.0.0.1")
        #expect(clientSpan.attributes["server.port"]?.toSpanAttribute() == .int64(Int64(port)))
        #expect(clientSpan.attributes["network.protocol.version"]?.toSpanAttribute() == "1.1")
        #expect(clientSpan.attributes["http.response.status_code"]?.toSpanAttribute() == .int64(200))
        #expect(clientSpan.attributes["error.type"] == nil)
        #expect(clientSpan.status == nil)

        // The wire carried the client span's W3C context, and the server's span is its child.
        let traceparent = "00-\(clientSpan.traceID)-\(clientSpan.spanID)-01"
        #expect(seen.traceparents.withLock { $0 } == [traceparent])
        #expect(serverSpan.traceID == clientSpan.traceID)
        #expect(serverSpan.parentSpanID == clientSpan.spanID)
        #expect(seen.spanIDs.withLock { $0 } == [serverSpan.spanID])
        #expect(serverSpan.operationName == "GET")
        #expect(serverSpan.attributes["url.path"]?.toSpanAttribute() == "/hello")
        #expect(serverSpan.attributes["http.response.status_code"]?.toSpanAttribute() == .int64(200))
        #expect(serverSpan.attributes["network.protocol.version"]?.toSpanAttribute() == "1.1")
        #expect(serverSpan.attributes["server.address"]?.toSpanAttribute() == "127.0.0.1")
        #expect(serverSpan.status == nil)
    }

    /// A handler that throws: the server span records the error, the client sees a 500
    /// and marks its span too.
    @Test func aFailingRequestSetsErrorStatusOnBothSpans() async throws {
        let backend = MockNetworkBackend()
        let tracer = W3CInMemoryTracer()
        let (server, port) = try await Self.start(tracer, Seen(), backend: backend)
        try await withHTTPClient(Self.client(backend, tracer)) { client in
            let statuses = [
                try await client.get("http://127.0.0.1:\(port)/boom").statusCode,
                try await client.get("http://127.0.0.1:\(port)/unavailable").statusCode,
            ]
            #expect(statuses == [500, 503])
        }
        await server.shutdown()
        let spans = tracer.finishedSpans
        let serverSpans = spans.filter { $0.kind == .server }
        let clientSpans = spans.filter { $0.kind == .client }
        #expect(serverSpans.map(\.status?.code) == [.error, .error])
        #expect(serverSpans.first?.attributes["error.type"]?.toSpanAttribute() == "Refused")
        // The error's type as an event, never its text (it may quote the request).
        #expect(serverSpans.first?.errors.isEmpty == true)
        #expect(serverSpans.first?.events.map(\.name) == ["exception"])
        #expect(serverSpans.first?.events.first?.attributes["exception.type"]?.toSpanAttribute() == "Refused")
        #expect(clientSpans.map(\.status?.code) == [.error, .error])
        #expect(clientSpans.compactMap { $0.attributes["http.response.status_code"]?.toSpanAttribute() } == [.int64(500), .int64(503)])
    }

    /// A request that fails before any response: the span ends once, with the code.
    @Test func aConnectFailureEndsTheSpanWithItsCode() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "a.test", port: 80, .refuse)
        let tracer = W3CInMemoryTracer()
        try await withHTTPClient(Self.client(backend, tracer)) { client in
            await #expect(throws: HTTPCoreError.self) { try await client.get("http://a.test/") }
        }
        let spans = tracer.finishedSpans
        #expect(spans.count == 1)
        #expect(spans.first?.status?.code == .error)
        #expect(spans.first?.attributes["error.type"]?.toSpanAttribute() == "connectRefused")
        #expect(spans.first?.attributes["http.response.status_code"] == nil)
    }

    /// Redirects and a retried 503 stay in one span, which ends at the last response,
    /// with each hop as an event: 302, 503 (retried from the first URL), 302, 200.
    @Test func redirectsAndRetriesStayInOneSpan() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "a.test", port: 80, script: [
            .writePrefix("GET /1 HTTP/1.1\r\n"),
            .read("HTTP/1.1 302 Found\r\nLocation: http://b.test/2\r\nContent-Length: 0\r\n\r\n"),
            // A retry starts over from the first URL, on this connection kept alive.
            .writePrefix("GET /1 HTTP/1.1\r\n"),
            .read("HTTP/1.1 302 Found\r\nLocation: http://b.test/2\r\nContent-Length: 0\r\n\r\n"),
        ])
        // The 503's body is let go unread, so its connection closes: the retry opens another.
        backend.expectConnect(host: "b.test", port: 80, script: [
            .writePrefix("GET /2 HTTP/1.1\r\n"),
            .read("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy"),
        ])
        backend.expectConnect(host: "b.test", port: 80, script: [
            .writePrefix("GET /2 HTTP/1.1\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        let tracer = W3CInMemoryTracer()
        var configuration = Self.client(backend, tracer)
        configuration.retries = RetryPolicy(maxRetries: 1, baseDelay: .zero, jitter: .none)
        try await withHTTPClient(configuration) { client in
            let status = try await client.get("http://a.test/1").statusCode
            #expect(status == 200)
        }
        let spans = tracer.finishedSpans
        #expect(spans.count == 1)
        #expect(spans.first?.events.map(\.name) == ["http.redirect", "http.retry", "http.redirect"])
        #expect(spans.first?.attributes["http.response.status_code"]?.toSpanAttribute() == .int64(200))
        #expect(spans.first?.attributes["http.request.resend_count"]?.toSpanAttribute() == .int64(3))
        #expect(spans.first?.attributes["server.address"]?.toSpanAttribute() == "b.test")
        #expect(spans.first?.status == nil)
    }
}
