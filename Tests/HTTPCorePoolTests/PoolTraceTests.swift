import HTTPCore
import HTTPCoreMock
import HTTPCorePool
import HTTPTypes
import Testing

/// `RequestTrace` through the pool over the mock backend: a new connection's setup
/// (lookup, each Happy Eyeballs attempt, TCP) reaches the request that gets it, then the
/// exchange's events; a reused connection has no setup; the metrics add up.
@Suite struct PoolTraceTests {
    /// Events with the parts the mock decides (the stream's addresses) left out.
    static func normalized(_ events: [RequestTrace.Event]) -> [RequestTrace.Event] {
        events.map { event in
            switch event {
            case .acquired(let id, let reused, let version, _): .acquired(connection: id, reused: reused, version: version, stream: NetworkStreamInfo())
            case .connectEnded: .connectEnded(local: nil, remote: nil)
            default: event
            }
        }
    }

    @Test func aNewConnectionsSetupThenTheExchangeThenReuse() async throws {
        let backend = MockNetworkBackend()
        backend.scriptResolution(host: "origin.test", addresses: ["2001:db8::7", "10.0.0.7"])
        backend.expectConnect(host: "2001:db8::7", port: 80, .refuse)
        backend.expectConnect(host: "10.0.0.7", port: 80, script: [
            .write("GET /a HTTP/1.1\r\nHost: origin.test\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
            .write("POST /b HTTP/1.1\r\nHost: origin.test\r\nContent-Length: 2\r\n\r\nhi"),
            .read("HTTP/1.1 201 Created\r\nContent-Length: 3\r\nX: y\r\n\r\ngot"),
        ])
        let origin = try #require(Origin("http://origin.test"))
        let v6 = ResolvedAddress(ip: "2001:db8::7", port: 80, isIPv6: true)
        let v4 = ResolvedAddress(ip: "10.0.0.7", port: 80, isIPv6: false)
        try await withConnectionPool(backend: backend) { pool in
            let first = RequestTraceRecorder()
            let response = try await pool.send(try Request(url: "http://origin.test/a", options: RequestOptions(trace: first.trace)))
            #expect(try await response.body.collect(upTo: 100) == Array("hello".utf8))
            let id = try #require(pool.snapshot.connections.first?.id)
            #expect(Self.normalized(first.events) == [
                .started(method: .get, origin: origin),
                .queued,
                .connectStarted(host: "origin.test", port: 80),
                .resolutionStarted(host: "origin.test"),
                .resolutionEnded(addresses: [v6, v4]),
                .attemptStarted(v6),
                .attemptEnded(v6, failure: .connectRefused),
                .attemptStarted(v4),
                .attemptEnded(v4, failure: nil),
                .connectEnded(local: nil, remote: nil),
                .acquired(connection: id, reused: false, version: .http1_1, stream: NetworkStreamInfo()),
                .requestHeadSent,
                .requestSent(bodyBytes: 0),
                .responseHeadReceived(status: 200, version: .http1_1),
                .responseFirstBodyByte,
                .responseEnded(bytes: 5),
            ])
            let metrics = first.metrics
            #expect(metrics.connectionReused == false && metrics.connection == id && metrics.connectAttempts == 2)
            #expect(metrics.responseBodyBytes == 5 && metrics.requestBodyBytes == 0 && metrics.status == 200)
            #expect(metrics.attempts == 1 && metrics.error == nil)
            // The mock's clock stands still: every phase took no time, and each one that
            // happened is there (zero), each one that did not (TLS, proxy) is nil.
            #expect(metrics.dns == .zero && metrics.connect == .zero && metrics.tls == nil && metrics.proxyHandshake == nil)
            #expect(metrics.wait == .zero && metrics.timeToFirstByte == .zero && metrics.transfer == .zero && metrics.total == .zero)

            let second = RequestTraceRecorder()
            let posted = try await pool.send(try Request(method: "POST", url: "http://origin.test/b", body: .string("hi"), options: RequestOptions(trace: second.trace)))
            #expect(try await posted.body.collect(upTo: 100) == Array("got".utf8))
            #expect(Self.normalized(second.events) == [
                .started(method: .post, origin: origin),
                .acquired(connection: id, reused: true, version: .http1_1, stream: NetworkStreamInfo()),
                .requestHeadSent,
                .requestSent(bodyBytes: 2),
                .responseHeadReceived(status: 201, version: .http1_1),
                .responseFirstBodyByte,
                .responseEnded(bytes: 3),
            ])
            #expect(second.metrics.connectionReused == true && second.metrics.dns == nil && second.metrics.connect == nil)
            #expect(second.metrics.requestBodyBytes == 2 && second.metrics.responseBodyBytes == 3)
        }
        #expect(backend.failures.isEmpty)
    }

    /// A body let go early ends in `.responseAbandoned` with what was read; a refused
    /// connect ends the request in `.failed`, each once.
    @Test func anAbandonedBodyAndAFailedConnectAreFinalEvents() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabcd"),
        ])
        backend.expectConnect(host: "example.com", port: 80, .refuse)
        var configuration = ConnectionPool.Configuration()
        configuration.retries = 0
        try await withConnectionPool(backend: backend, configuration: configuration) { pool in
            let abandoned = RequestTraceRecorder()
            let response = try await pool.send(try Request(url: "http://example.com/", options: RequestOptions(trace: abandoned.trace)))
            var iterator = response.body.makeAsyncIterator()
            #expect(try await iterator.next() == Array("abcd".utf8))
            response.body.close()
            #expect(abandoned.events.suffix(2) == [.responseFirstBodyByte, .responseAbandoned(bytes: 4)])
            #expect(abandoned.metrics.responseBodyBytes == 4)

            let refused = RequestTraceRecorder()
            await #expect(throws: HTTPCoreError.self) {
                try await pool.send(try Request(url: "http://example.com/", options: RequestOptions(trace: refused.trace)))
            }
            guard case .failed(let error)? = refused.events.last else {
                Issue.record("the last event is not .failed: \(refused.events)")
                return
            }
            #expect(error.code == .connectRefused)
            #expect(refused.events.filter(\.isFinal).count == 1)
            #expect(refused.metrics.error?.code == .connectRefused)
        }
    }

    /// A SOCKS5 tunnel: the proxy's connect, then the handshake between its two events,
    /// then the exchange.
    @Test func aProxyHandshakeIsRecordedBetweenTheConnectAndTheExchange() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "proxy.test", port: 1080, script: [
            .write([5, 1, 0]), .read([5, 0]),
            .write([5, 1, 0, 1, 10, 0, 0, 7, 0, 80]), .read([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
            .write("GET / HTTP/1.1\r\nHost: 10.0.0.7\r\n\r\n"), .read("HTTP/1.1 204 No Content\r\n\r\n"),
        ])
        var configuration = ConnectionPool.Configuration()
        configuration.proxy = try Proxy(url: "socks5://proxy.test")
        let recorder = RequestTraceRecorder()
        try await withConnectionPool(backend: backend, configuration: configuration) { pool in
            let response = try await pool.send(try Request(url: "http://10.0.0.7/", options: RequestOptions(trace: recorder.trace)))
            #expect(response.status == .noContent)
        }
        #expect(backend.failures.isEmpty, "\(backend.failures)")
        let events = Self.normalized(recorder.events)
        let connect = try #require(events.firstIndex(of: .connectStarted(host: "proxy.test", port: 1080)))
        let started = try #require(events.firstIndex(of: .proxyHandshakeStarted(kind: "SOCKS5")))
        let ended = try #require(events.firstIndex(of: .proxyHandshakeEnded))
        let acquired = try #require(events.firstIndex { if case .acquired = $0 { true } else { false } })
        #expect(connect < started && started < ended && ended < acquired, "\(events)")
        #expect(recorder.metrics.proxyHandshake == .zero && recorder.metrics.tls == nil)
    }

    /// Over HTTP/2 (h2c to an in-memory nghttp2 server): the head and END_STREAM sent,
    /// the trailers after the body, then the end with the body's bytes.
    @Test func http2TrailersAndTheBodyEnd() async throws {
        let origin = try await MockHTTP2Origin(maxConcurrentStreams: 10)
        defer { origin.stop() }
        let pool = try ConnectionPool(backend: origin.backend, configuration: MockHTTP2Origin.h2c)
        let recorder = RequestTraceRecorder()
        let response = try await pool.send(try Request(url: "http://example.com/trailers", options: RequestOptions(trace: recorder.trace)))
        #expect(try await response.body.collect(upTo: 100) == Array("body".utf8))
        await pool.shutdown()
        let exchange = Array(Self.normalized(recorder.events).drop { if case .acquired = $0 { false } else { true } }.dropFirst())
        #expect(exchange == [
            .requestHeadSent,
            .requestSent(bodyBytes: 0),
            .responseHeadReceived(status: 200, version: .http2),
            .responseFirstBodyByte,
            .trailersReceived(count: 1),
            .responseEnded(bytes: 4),
        ])
        #expect(recorder.metrics.version == .http2 && recorder.metrics.responseBodyBytes == 4)
    }

    /// The pool's own retry (an idle connection found closed) starts a second attempt:
    /// `.retry` naming the failure, then `.started` again, so each attempt is whole.
    @Test func aRetryOnAStaleConnectionStartsASecondAttempt() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write("GET /a HTTP/1.1\r\nHost: example.com\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"),
            .eof,
        ])
        backend.expectConnect(host: "example.com", port: 80, script: [
            .write("GET /b HTTP/1.1\r\nHost: example.com\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo"),
        ])
        let origin = try #require(Origin("http://example.com"))
        try await withConnectionPool(backend: backend) { pool in
            _ = try await pool.send(try Request(url: "http://example.com/a")).body.collect(upTo: 100)
            let recorder = RequestTraceRecorder()
            let response = try await pool.send(try Request(url: "http://example.com/b", options: RequestOptions(trace: recorder.trace)))
            #expect(try await response.body.collect(upTo: 100) == Array("two".utf8))
            let events = recorder.events
            let retry = try #require(events.firstIndex { if case .retry(2, nil, _?) = $0 { true } else { false } }, "\(events)")
            #expect(events.filter { $0 == .started(method: .get, origin: origin) }.count == 2)
            #expect(events[retry + 1] == .started(method: .get, origin: origin))
            #expect(events.filter(\.isFinal) == [.responseEnded(bytes: 3)])
            #expect(recorder.metrics.attempts == 2 && recorder.metrics.retries == 1 && recorder.metrics.connectionReused == false)
        }
        #expect(backend.failures.isEmpty, "\(backend.failures)")
    }
}
