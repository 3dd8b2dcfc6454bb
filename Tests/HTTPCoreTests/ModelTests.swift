import HTTPCore
import HTTPCoreMock
import HTTPTypes
import Testing

@Suite struct OriginTests {
    @Test(arguments: [
        ("http://example.com", "http", "example.com", 80),
        ("https://example.com/path?q", "https", "example.com", 443),
        ("HTTP://example.com:8080", "http", "example.com", 8080),
        ("https://[::1]:8443/x", "https", "::1", 8443),
        ("http://[2001:db8::1]", "http", "2001:db8::1", 80),
    ])
    func parses(url: String, scheme: String, host: String, port: Int) throws {
        let origin = try #require(Origin(url))
        #expect(origin == Origin(scheme: scheme, host: host, port: port))
    }

    @Test(arguments: ["example.com", "ftp://example.com", "http://", "http://host:99999", "http://host:x", "http://user@host", "http://[::1",
                       "http://host:+80", "http://host:", "http://host:0080080", "http://[::1]x", "http://[::1]:",
                       // IPv6 without brackets: `authority` would bracket the host into another
                       // name (the url fuzz target found `http://b::1]:8080`).
                       "http://a:b:80", "http://::1:80", "http://b::1]:8080",
                       // Brackets around anything but an IPv6 literal (a 10-minute run found
                       // `http://[[fe80the0]/`, printed back as another origin).
                       "http://[[fe80the0]/", "http://[example.com]/", "http://[127.0.0.1]/", "http://[]/"])
    func rejects(url: String) {
        #expect(Origin(url) == nil)
    }

    @Test func authorityOmitsTheDefaultPort() {
        #expect(Origin(scheme: "https", host: "a.example", port: 443).authority == "a.example")
        #expect(Origin(scheme: "https", host: "::1", port: 8443).authority == "[::1]:8443")
        #expect(Origin(scheme: "http", host: "a.example", port: 80).description == "http://a.example:80")
    }
}

@Suite struct RequestTests {
    @Test func buildsAHeadFromStrings() throws {
        let request = try Request(method: "PATCH", url: "https://api.example:8443/v1/items?id=3#frag", headers: [("Accept", "application/json")])
        #expect(request.head.method == .patch)
        #expect(request.head.scheme == "https")
        #expect(request.head.authority == "api.example:8443")
        #expect(request.head.path == "/v1/items?id=3")
        #expect(request.head.headerFields[.accept] == "application/json")
        #expect(request.origin == Origin(scheme: "https", host: "api.example", port: 8443))
    }

    @Test func emptyPathBecomesSlash() throws {
        #expect(try Request(url: "http://example.com").head.path == "/")
        #expect(try Request(url: "http://example.com?x=1").head.path == "/?x=1")
        #expect(try Request(url: "http://example.com#top").head.path == "/")
        #expect(try Request(url: "http://example.com/a?b#c").head.path == "/a?b")
        #expect(try Request(url: "http://ëxample.com/ü").head.path == "/ü")
    }

    @Test(arguments: [("GET", "ftp://x/"), ("GET", "not a url"), ("BAD METHOD", "http://x/")])
    func refusesBadInput(method: String, url: String) {
        let error = #expect(throws: HTTPCoreError.self) { try Request(method: method, url: url) }
        #expect(error?.code == .invalidRequest)
        #expect(error?.isSafeToRetry == false)
    }

    @Test func bodyLengths() async throws {
        #expect(RequestBody.empty.knownLength == 0)
        #expect(RequestBody.string("abc").knownLength == 3)
        let stream = AsyncStream<[UInt8]> { $0.finish() }
        #expect(RequestBody.stream(stream).knownLength == nil)
        #expect(RequestBody.stream(stream, length: 9).knownLength == 9)
        let source = RequestBody.bytes([1, 2]).makeChunkSource()
        #expect(try await source.next() == [1, 2])
        #expect(try await source.next() == nil)
    }
}

@Suite struct ResponseBodyTests {
    @Test func collectsWithinTheLimit() async throws {
        let body = ResponseBody(bytes: Array("hello".utf8), trailers: [.server: "x"])
        #expect(body.trailers == nil)
        #expect(try await body.collect(upTo: 5) == Array("hello".utf8))
        #expect(body.trailers?[.server] == "x")
        #expect(body.isComplete)
    }

    @Test func collectOverTheLimitIsALimitError() async throws {
        let error = await #expect(throws: HTTPCoreError.self) { try await ResponseBody(bytes: [1, 2, 3]).collect(upTo: 2) }
        #expect(error?.code == .bodyTooLarge)
        #expect(error?.category == .limit)
    }

    @Test func droppingTheBodyReleasesItsSource() async throws {
        final class Source: ResponseBodySource {
            let released = Locked(false)
            func nextPart() async throws -> ResponseBodyPart { .data([1]) }
            func release() { released.withLock { $0 = true } }
        }
        let source = Source()
        do {
            let body = ResponseBody(source: source)
            var iterator = body.makeAsyncIterator()
            _ = try await iterator.next()
        }
        #expect(source.released.withLock { $0 })
    }
}

@Suite struct ErrorTests {
    @Test func categoriesAndDescriptions() {
        let error = HTTPCoreError(.readTimeout, "no byte for 30 s")
        #expect(error.category == .timeout(.read))
        #expect(error.description == "HTTPCoreError.readTimeout: no byte for 30 s")
        #expect(!error.isSafeToRetry)
        #expect(error.with(processing: .notProcessed).isSafeToRetry)
        #expect(HTTPCoreError.Code.connectRefused.category == .network(.connect))
        #expect(HTTPCoreError.Code.malformedResponse.category == .protocol(.remote))
        #expect(HTTPCoreError.Code.invalidRequest.category == .protocol(.local))
        #expect(HTTPCoreError.Code.headTooLarge.category == .limit)
        #expect(HTTPCoreError.Code.connectionClosed.category == .unavailable)
    }

    @Test func fromMapsCancellation() {
        #expect(HTTPCoreError.from(CancellationError(), default: .readFailed).code == .cancelled)
        struct Other: Error {}
        #expect(HTTPCoreError.from(Other(), default: .readFailed).code == .readFailed)
    }
}

@Suite struct ClockTests {
    @Test func deadlineTakesTheEarlier() {
        let clock = ManualClock(now: HTTPInstant(nanoseconds: 1_000))
        let cap = HTTPInstant(nanoseconds: 5_000)
        #expect(clock.deadline(after: .nanoseconds(10_000), capping: cap) == cap)
        #expect(clock.deadline(after: .nanoseconds(1_000), capping: cap) == HTTPInstant(nanoseconds: 2_000))
        #expect(clock.deadline(after: nil, capping: nil) == nil)
    }

    @Test func manualClockFiresTimersInOrder() async throws {
        let clock = ManualClock()
        let fired = Locked<[Int]>([])
        clock.schedule(at: HTTPInstant(nanoseconds: 300)) { fired.withLock { $0.append(3) } }
        clock.schedule(at: HTTPInstant(nanoseconds: 100)) { fired.withLock { $0.append(1) } }
        clock.schedule(at: HTTPInstant(nanoseconds: 200)) { fired.withLock { $0.append(2) } }
        clock.advance(by: .nanoseconds(250))
        #expect(fired.value == [1, 2])
        clock.advance(by: .nanoseconds(50))
        #expect(fired.value == [1, 2, 3])
    }

    @Test func sleepIsCancellable() async throws {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(until: HTTPInstant(nanoseconds: 1_000_000)) }
        try await clock.waitForTimers(1)
        sleeper.cancel()
        let error = await #expect(throws: HTTPCoreError.self) { try await sleeper.value }
        #expect(error?.code == .cancelled)
        #expect(clock.pendingTimers == 0)
    }

    @Test func systemClockSleeps() async throws {
        let clock = SystemClock()
        let start = clock.now
        try await clock.sleep(until: start + .milliseconds(5))
        #expect(clock.now >= start + .milliseconds(5))
    }
}
