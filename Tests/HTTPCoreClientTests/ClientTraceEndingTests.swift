import HTTPCore
import HTTPCoreClient
import HTTPCoreMock
import HTTPTypes
import Testing

/// `HTTPClientObserver`'s promise: a final event that is not the request's last closes an
/// attempt that recorded `.redirect` or `.retry` before it, and a failure the client
/// retries shows as the `.retry` naming it.
@Suite struct ClientTraceEndingTests {
    final class Observer: HTTPClientObserver {
        let recorder = RequestTraceRecorder()

        func requestStarting(_ request: ObservedRequest, fields: inout HTTPFields) -> RequestTrace? { recorder.trace }
    }

    static func configuration(_ backend: MockNetworkBackend, _ observer: Observer) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend
        configuration.headers = []
        configuration.decoding = nil
        configuration.retries = RetryPolicy(maxRetries: 1, baseDelay: .zero, jitter: .none)
        configuration.observers = [observer]
        return configuration
    }

    static let ok: [MockStep] = [
        .write("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n"),
        .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    ]

    @Test func aRetriedFailureIsTheRetryNotAFailedEvent() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "a.test", port: 80, .refuse)
        backend.expectConnect(host: "a.test", port: 80, script: Self.ok)
        let observer = Observer()
        try await withHTTPClient(Self.configuration(backend, observer)) { client in
            let status = try await client.get("http://a.test/").statusCode
            #expect(status == 200)
        }
        let events = observer.recorder.events
        #expect(!events.contains { if case .failed = $0 { true } else { false } })
        #expect(events.contains(.retry(attempt: 2, status: nil, failure: .connectRefused)))
        #expect(events.filter(\.isFinal) == [.responseEnded(bytes: 2)])
        #expect(observer.recorder.metrics.attempts == 2 && observer.recorder.metrics.retries == 1)
    }

    @Test func aStatusRetryIsRecordedBeforeItsBodyIsLetGo() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "a.test", port: 80, script: [
            .write("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n"),
            .read("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy"),
        ])
        backend.expectConnect(host: "a.test", port: 80, script: Self.ok)
        let observer = Observer()
        try await withHTTPClient(Self.configuration(backend, observer)) { client in
            let status = try await client.get("http://a.test/").statusCode
            #expect(status == 200)
        }
        #expect(backend.failures.isEmpty, "\(backend.failures)")
        let events = observer.recorder.events
        let retry = try #require(events.firstIndex(of: .retry(attempt: 2, status: 503, failure: nil)))
        let firstFinal = try #require(events.firstIndex { $0.isFinal })
        #expect(retry < firstFinal)
        #expect(events.last == .responseEnded(bytes: 2))
    }

    /// A failure the client gives up on is the request's last event, once.
    @Test func aFailureNotRetriedIsTheLastEvent() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "a.test", port: 80, .refuse)
        backend.expectConnect(host: "a.test", port: 80, .refuse)
        let observer = Observer()
        try await withHTTPClient(Self.configuration(backend, observer)) { client in
            await #expect(throws: HTTPCoreError.self) { try await client.get("http://a.test/") }
        }
        let events = observer.recorder.events
        #expect(events.filter(\.isFinal).count == 1)
        if case .failed(let error)? = events.last { #expect(error.code == .connectRefused) } else { Issue.record("\(events)") }
        #expect(events.contains(.retry(attempt: 2, status: nil, failure: .connectRefused)))
    }

    /// Too many redirects: the last hop's body, let go unfollowed, is not the end; the
    /// client's `.failed` is, once.
    @Test func tooManyRedirectsEndsInFailedNotInTheLastHopsBody() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "a.test", port: 80, script: [
            .write("GET /1 HTTP/1.1\r\nHost: a.test\r\n\r\n"),
            .read("HTTP/1.1 302 Found\r\nLocation: /2\r\nContent-Length: 4\r\n\r\nhop1"),
            .write("GET /2 HTTP/1.1\r\nHost: a.test\r\n\r\n"),
            .read("HTTP/1.1 302 Found\r\nLocation: /3\r\nContent-Length: 4\r\n\r\nhop2"),
        ])
        let observer = Observer()
        var configuration = Self.configuration(backend, observer)
        configuration.redirects = RedirectPolicy(maxRedirects: 1)
        try await withHTTPClient(configuration) { client in
            await #expect(throws: HTTPCoreError.self) { try await client.get("http://a.test/1") }
        }
        let events = observer.recorder.events
        if case .failed(let error)? = events.last { #expect(error.code == .tooManyRedirects) } else { Issue.record("\(events)") }
        // The first hop's body ended before the redirect was followed; nothing else ended.
        #expect(events.filter(\.isFinal).count == 2, "\(events)")
        let redirect = try #require(events.firstIndex { if case .redirect = $0 { true } else { false } })
        let firstFinal = try #require(events.firstIndex { $0.isFinal })
        #expect(redirect < firstFinal)
    }
}
