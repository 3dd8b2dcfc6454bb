import HTTPCore
import HTTPCoreClient
import HTTPCoreMock
import HTTPTypes
import Testing

/// The client's part of `RequestTrace`: a redirect between two attempts, a failure
/// raised above the pool recorded once, and an `HTTPClientObserver` that adds a field and
/// hears every event.
@Suite struct ClientTraceTests {
    final class Observer: HTTPClientObserver {
        let recorder = RequestTraceRecorder()
        let seen = Locked<[String]>([])

        func requestStarting(_ request: ObservedRequest, fields: inout HTTPFields) -> RequestTrace? {
            seen.withLock { $0.append("\(request.method.rawValue) \(request.url) \(request.path)") }
            fields[HTTPField.Name("traceparent")!] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            return recorder.trace
        }
    }

    static func configuration(_ backend: MockNetworkBackend, _ observer: Observer) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        configuration.headers = []
        configuration.decoding = nil
        configuration.observers = [observer]
        return configuration
    }

    @Test func aRedirectIsRecordedBetweenItsTwoAttemptsAndTheObserverAddsItsField() async throws {
        let backend = MockNetworkBackend()
        let traceparent = "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n"
        backend.expectConnect(host: "a.test", port: 80, script: [
            .write("GET /1 HTTP/1.1\r\nHost: a.test\r\n\(traceparent)\r\n"),
            .read("HTTP/1.1 302 Found\r\nLocation: http://b.test/2\r\nContent-Length: 0\r\n\r\n"),
        ])
        backend.expectConnect(host: "b.test", port: 80, script: [
            .write("GET /2 HTTP/1.1\r\nHost: b.test\r\n\(traceparent)\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        let observer = Observer()
        try await withHTTPClient(Self.configuration(backend, observer)) { client in
            let response = try await client.get("http://a.test/1")
            #expect(response.statusCode == 200)
        }
        #expect(backend.failures.isEmpty, "\(backend.failures)")
        #expect(observer.seen.withLock { $0 } == ["GET http://a.test/1 /1"])
        let events = observer.recorder.events
        let redirect = try #require(events.firstIndex(of: .redirect(status: 302, to: Origin("http://b.test")!)))
        #expect(events[..<redirect].contains(.responseHeadReceived(status: 302, version: .http1_1)))
        #expect(events[redirect...].contains(.started(method: .get, origin: Origin("http://b.test")!)))
        #expect(events.last == .responseEnded(bytes: 2))
        let metrics = observer.recorder.metrics
        #expect(metrics.attempts == 2 && metrics.redirects == 1 && metrics.status == 200 && metrics.responseBodyBytes == 2)
    }

    /// A request hook that throws fails the request above the pool: one `.failed`, with
    /// the hook's error.
    @Test func aFailureAboveThePoolIsRecordedOnce() async throws {
        let backend = MockNetworkBackend()
        let observer = Observer()
        var configuration = Self.configuration(backend, observer)
        configuration.hooks.request = [{ _ in throw HTTPCoreError(.invalidRequest, "refused by a hook") }]
        try await withHTTPClient(configuration) { client in
            await #expect(throws: HTTPCoreError.self) { try await client.get("http://a.test/") }
        }
        let finals = observer.recorder.events.filter(\.isFinal)
        #expect(finals.count == 1)
        if case .failed(let error)? = finals.first { #expect(error.code == .invalidRequest) } else { Issue.record("\(finals)") }
    }

    /// A connect refused in the pool: the pool records `.failed`, the client does not
    /// record it again.
    @Test func aPoolFailureIsNotRecordedTwice() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "a.test", port: 80, .refuse)
        let observer = Observer()
        try await withHTTPClient(Self.configuration(backend, observer)) { client in
            await #expect(throws: HTTPCoreError.self) { try await client.get("http://a.test/") }
        }
        #expect(observer.recorder.events.filter(\.isFinal).count == 1)
        #expect(observer.recorder.metrics.error?.code == .connectRefused)
    }

    /// A transport other than the pool (a closure here) records no events itself: the
    /// client records the attempt's start, head and body end, so an observer's request
    /// still ends once.
    @Test func aCustomTransportsRequestStillEnds() async throws {
        let observer = Observer()
        var configuration = HTTPClient.Configuration()
        configuration.observers = [observer]
        configuration.transport = ClosureTransport { _ in
            HTTPCore.Response(head: HTTPResponse(status: .ok), body: ResponseBody(bytes: Array("hello".utf8)), version: .http1_1)
        }
        let status = try await withHTTPClient(configuration) { client in try await client.get("http://a.test/").statusCode }
        #expect(status == 200)
        #expect(observer.recorder.events == [
            .started(method: .get, origin: Origin("http://a.test")!),
            .responseHeadReceived(status: 200, version: .http1_1),
            .responseFirstBodyByte,
            .responseEnded(bytes: 5),
        ])
    }
}
