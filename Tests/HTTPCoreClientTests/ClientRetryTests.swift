import HTTPCore
import HTTPCoreClient
import HTTPCoreMock
import HTTPTypes
import Testing

/// Retries on the manual clock: what is retried and what never is, backoff, Retry-After,
/// the budget and the deadline.
@Suite struct ClientRetryTests {
    enum Outcome: Sendable {
        case status(Int, retryAfter: String?)
        case failure(HTTPCoreError)
    }

    /// Answers each request with the next outcome (200 when they run out) and counts them.
    final class Script: Sendable {
        private let outcomes: Locked<[Outcome]>
        private let count = Locked(0)
        let backend = MockNetworkBackend()

        init(_ outcomes: [Outcome]) { self.outcomes = Locked(outcomes) }

        var requests: Int { count.withLock { $0 } }
        var clock: ManualClock { backend.manualClock }

        func client(_ configure: (inout HTTPClient.Configuration) -> Void = { _ in }) throws -> HTTPClient {
            var configuration = HTTPClient.Configuration()
            configuration.backend = backend  // its manual clock; the transport answers
            configuration.transport = ClosureTransport { [outcomes, count] _ in
                count.withLock { $0 += 1 }
                switch outcomes.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                case .failure(let error)?:
                    throw error
                case .status(let code, let retryAfter)?:
                    var fields = HTTPFields()
                    if let retryAfter { fields[.retryAfter] = retryAfter }
                    return Response(head: HTTPResponse(status: .init(code: code), headerFields: fields), body: .empty, version: .http1_1)
                case nil:
                    return Response(head: HTTPResponse(status: .ok), body: .empty, version: .http1_1)
                }
            }
            configuration.retries = RetryPolicy(maxRetries: 3, jitter: .none)
            configure(&configuration)
            return try HTTPClient(configuration: configuration)
        }

        /// Runs `send`, advancing the clock by `steps` in turn once each wait is armed.
        func run(_ steps: [Duration], _ send: @escaping @Sendable () async throws -> HTTPClient.Response) async throws -> Result<HTTPClient.Response, any Error> {
            let before = requests
            let task = Task { try await send() }
            for (index, step) in steps.enumerated() {
                try await clock.waitForTimers(1)
                #expect(requests == before + index + 1, "request \(index + 1) before wait \(index + 1)")
                clock.advance(by: step)
            }
            return await task.result
        }
    }

    static let notProcessed = HTTPCoreError(.connectRefused, "refused", processing: .notProcessed)

    @Test func a503IsRetriedAfterTheBackoff() async throws {
        let script = Script([.status(503, retryAfter: nil), .status(503, retryAfter: nil)])
        let client = try script.client()
        let result = try await script.run([.milliseconds(500), .seconds(1)]) { try await client.get("http://a.test/") }
        #expect(try result.get().statusCode == 200)
        #expect(script.requests == 3)
    }

    @Test func retryAfterIsHonouredAndCapped() async throws {
        let script = Script([.status(429, retryAfter: "2")])
        let client = try script.client()
        let result = try await script.run([.seconds(2)]) { try await client.get("http://a.test/") }
        #expect(try result.get().statusCode == 200)

        let tooLong = Script([.status(503, retryAfter: "120")])
        let response = try await tooLong.client().get("http://a.test/")
        #expect(response.statusCode == 503 && tooLong.requests == 1)
    }

    @Test func aPostIsNotRetriedForItsStatusUnlessItHasAnIdempotencyKey() async throws {
        let script = Script([.status(503, retryAfter: nil), .status(503, retryAfter: nil)])
        let client = try script.client()
        #expect(try await client.post("http://a.test/", body: .string("x")).statusCode == 503)
        #expect(script.requests == 1)
        let result = try await script.run([.milliseconds(500)]) {
            try await client.post("http://a.test/", headers: ["Idempotency-Key": "k1"], body: .string("x"))
        }
        #expect(try result.get().statusCode == 200)
        #expect(script.requests == 3)
    }

    @Test func aRequestThatWasNotProcessedIsRetriedWhateverItsMethodAndOneThatMayHaveBeenIsNot() async throws {
        let script = Script([.failure(Self.notProcessed)])
        let client = try script.client()
        let result = try await script.run([.milliseconds(500)]) { try await client.post("http://a.test/", body: .string("x")) }
        #expect(try result.get().statusCode == 200)

        let processed = Script([.failure(HTTPCoreError(.connectionReset, "reset mid-response"))])
        let error = await #expect(throws: HTTPCoreError.self) { try await processed.client().post("http://a.test/", body: .string("x")) }
        #expect(error?.code == .connectionReset)
        #expect(processed.requests == 1)

        let refused = Script([.failure(HTTPCoreError(.invalidRequest, "bad", processing: .notProcessed))])
        await #expect(throws: HTTPCoreError.self) { try await refused.client().get("http://a.test/") }
        #expect(refused.requests == 1)

        let stream = Script([.failure(Self.notProcessed)])
        let chunks = AsyncStream<[UInt8]> { $0.finish() }
        await #expect(throws: HTTPCoreError.self) { try await stream.client().post("http://a.test/", body: .stream(chunks)) }
        #expect(stream.requests == 1)
    }

    @Test func theBudgetStopsRetriesFromMultiplyingLoad() async throws {
        let script = Script([.status(503, retryAfter: nil), .status(503, retryAfter: nil), .status(503, retryAfter: nil)])
        let client = try script.client { $0.retryBudget = RetryBudget(ratio: 0, minimum: 1) }
        let first = try await script.run([.milliseconds(500)]) { try await client.get("http://a.test/") }
        #expect(try first.get().statusCode == 503) // one retry, then the budget was spent
        #expect(script.requests == 2)
        #expect(try await client.get("http://a.test/").statusCode == 503)
        #expect(script.requests == 3)
    }

    @Test func retriesStayInsideTheTotalDeadline() async throws {
        let script = Script([.status(503, retryAfter: nil), .status(503, retryAfter: nil)])
        let client = try script.client {
            $0.timeouts.total = .seconds(1)
        }
        // 0.5 s, then 1 s would end past the deadline: the second 503 is the answer.
        let result = try await script.run([.milliseconds(500)]) { try await client.get("http://a.test/") }
        #expect(try result.get().statusCode == 503)
        #expect(script.requests == 2)
    }

    @Test func retryAfterReadsSecondsAndDates() {
        #expect(RetryAfterProbe.delay("120", now: 0) == .seconds(120))
        #expect(RetryAfterProbe.delay("Wed, 21 Oct 2015 07:28:00 GMT", now: 1_445_412_470) == .seconds(10))
        #expect(RetryAfterProbe.delay("soon", now: 0) == nil)
    }
}
