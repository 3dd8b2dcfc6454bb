import HTTPCore
import HTTPCoreClient
import HTTPCoreMock
import HTTPTypes
import Testing

/// Event hooks (httpx's `event_hooks`): request hooks before every request that goes out,
/// response hooks on every response head, a throwing hook ending the request.
@Suite struct ClientHookTests {
    struct Refused: Error, Equatable {}

    struct StatusError: Error, Equatable {
        let code: Int
    }

    /// `/1` -> 302 `/2` -> 302 `/3` -> 200, every request recorded.
    static func redirectingTransport(_ seen: Locked<[HTTPRequest]>) -> ClosureTransport {
        ClosureTransport { request in
            seen.withLock { $0.append(request.head) }
            let path = request.head.path ?? ""
            guard path != "/3" else {
                return Response(head: HTTPResponse(status: .ok), body: ResponseBody(bytes: Array("done".utf8)), version: .http1_1)
            }
            var fields = HTTPFields()
            fields[.location] = path == "/1" ? "/2" : "/3"
            return Response(head: HTTPResponse(status: .found, headerFields: fields), body: ResponseBody(bytes: Array("hop".utf8)), version: .http1_1)
        }
    }

    @Test func aRequestHookAddsAFieldToEveryHopOfARedirectChain() async throws {
        let seen = Locked<[HTTPRequest]>([])
        let calls = Locked<[String]>([])
        var configuration = HTTPClient.Configuration()
        configuration.transport = Self.redirectingTransport(seen)
        configuration.hooks.request.append { request in
            let count = calls.withLock { calls in
                calls.append(request.url)
                return calls.count
            }
            #expect(request.method == .get)
            request.headerFields[HTTPField.Name("X-Hook")!] = "call \(count)"
        }
        let client = try HTTPClient(configuration: configuration)
        let response = try await client.get("http://a.test/1")
        #expect(response.statusCode == 200)
        #expect(calls.withLock { $0 } == ["http://a.test/1", "http://a.test/2", "http://a.test/3"])
        let sent = seen.withLock { $0 }
        #expect(sent.map { $0.headerFields[HTTPField.Name("X-Hook")!] } == ["call 1", "call 2", "call 3"])
        #expect(response.history.map(\.statusCode) == [302, 302])
    }

    @Test func aThrowingRequestHookSendsNothing() async throws {
        let recording = RecordingTransport()
        let client = try recording.client { configuration in
            configuration.hooks.request = [{ _ in throw Refused() }]
        }
        await #expect(throws: Refused.self) { try await client.post("http://a.test/", body: .string("never")) }
        #expect(recording.requests.isEmpty)
    }

    @Test func requestHooksRunInOrderAndSeeTheClientFields() async throws {
        let recording = RecordingTransport()
        let client = try recording.client { configuration in
            configuration.hooks.request = [
                { request in
                    #expect(request.headerFields[.userAgent] == HTTPClient.userAgent)
                    request.headerFields[.userAgent] = "first"
                },
                { request in
                    #expect(request.headerFields[.userAgent] == "first")
                    request.headerFields[.accept] = nil
                },
            ]
        }
        _ = try await client.get("http://a.test/")
        #expect(recording.last?.head.headerFields[.userAgent] == "first")
        #expect(recording.last?.head.headerFields[.accept] == nil)
    }

    /// httpx's `raise_for_status` as a response hook.
    static let raiseForStatus: @Sendable (HookResponse) async throws -> Void = { response in
        if response.status.kind == .serverError { throw StatusError(code: response.status.code) }
    }

    @Test func aResponseHookThatThrowsOn5xxFailsTheRequest() async throws {
        let failing = try RecordingTransport(status: .serviceUnavailable, body: "busy").client { configuration in
            configuration.hooks.response = [Self.raiseForStatus]
        }
        await #expect(throws: StatusError(code: 503)) { try await failing.get("http://a.test/") }
        await #expect(throws: StatusError(code: 503)) {
            try await failing.stream(.get, "http://a.test/") { _ in Issue.record("the handler never runs") }
        }

        let fine = try RecordingTransport(status: .ok, body: "fine").client { configuration in
            configuration.hooks.response = [Self.raiseForStatus]
        }
        #expect(try await fine.get("http://a.test/").text() == "fine")
    }

    @Test func responseHooksSeeEveryHeadBeforeItsRedirectIsFollowed() async throws {
        let seen = Locked<[HTTPRequest]>([])
        let heads = Locked<[String]>([])
        var configuration = HTTPClient.Configuration()
        configuration.transport = Self.redirectingTransport(seen)
        configuration.hooks.response = [{ response in
            heads.withLock { $0.append("\(response.status.code) \(response.url)") }
            // The hop's request has not been followed yet.
            #expect(seen.withLock { $0.count } == heads.withLock { $0.count })
        }]
        let client = try HTTPClient(configuration: configuration)
        _ = try await client.get("http://a.test/1")
        #expect(heads.withLock { $0 } == ["302 http://a.test/1", "302 http://a.test/2", "200 http://a.test/3"])
    }

    @Test func hooksRunForEveryRetryAndTheRetryIsLogged() async throws {
        let backend = MockNetworkBackend()
        let answers = Locked([503, 200])
        let hookCalls = Locked(0)
        let records = Locked<[ClientLoggingTests.Record]>([])
        var configuration = HTTPClient.Configuration()
        configuration.backend = backend  // its manual clock; the transport answers
        configuration.transport = ClosureTransport { _ in
            let code = answers.withLock { $0.removeFirst() }
            return Response(head: HTTPResponse(status: .init(code: code)), body: .empty, version: .http1_1)
        }
        configuration.retries = RetryPolicy(maxRetries: 1, jitter: .none)
        configuration.hooks.request = [{ _ in hookCalls.withLock { $0 += 1 } }]
        configuration.logger = ClientLoggingTests.logger(records)
        let client = try HTTPClient(configuration: configuration)
        let task = Task { try await client.get("http://a.test/") }
        try await backend.manualClock.waitForTimers(1)
        backend.manualClock.advance(by: .seconds(1))
        #expect(try await task.value.statusCode == 200)
        #expect(hookCalls.withLock { $0 } == 2)
        let retries = records.withLock { $0 }.filter { $0.message == "retry" }
        #expect(retries.count == 1)
        #expect(retries.first?.metadata["status"].map { "\($0)" } == "503")
        #expect(records.withLock { $0 }.allSatisfy { $0.metadata["request-id"].map { "\($0)" } == "1" })
    }
}
