import HTTPCore
import HTTPCoreHTTP2
import HTTPCoreMock
import HTTPCoreTestSupport
import Testing

/// The total deadline on a bare HTTP/2 connection (no pool): the wait for a stream slot
/// and the upload of a streamed body end at it, on the manual clock.
@Suite struct HTTP2DeadlineTests {
    static func options(total: Duration) -> RequestOptions {
        var options = RequestOptions()
        options.timeouts = Timeouts(connect: nil, read: .seconds(30), write: .seconds(30), pool: nil, total: total)
        return options
    }

    @Test func aRequestWaitingForAStreamSlotEndsAtItsDeadline() async throws {
        let clock = ManualClock()
        let h2 = try await HTTP2Fixture.start(clock: clock, maxConcurrentStreams: 1)
        // Learn the limit of 1, then hold the only slot.
        _ = try await h2.get("/hello").body.text()
        let holder = try await h2.connection.send(try Request(url: "https://example.com/partial"))
        let armed = clock.pendingTimers
        let waiting = Task { try await h2.connection.send(try Request(url: "https://example.com/hello", options: Self.options(total: .seconds(2)))) }
        try await clock.waitForTimers(armed + 1) // the request's own deadline, not an older timer
        clock.advance(by: .seconds(2))
        let error = await waiting.result.error
        #expect(error?.code == .totalTimeout)
        #expect(error?.isSafeToRetry == true)
        // The slot is still the holder's, and the next waiter after it gets it.
        holder.body.close()
        #expect(try await h2.get("/hello").body.text() == "hello")
        await h2.finish()
    }

    @Test func aStreamedUploadThatCannotProceedEndsAtTheDeadline() async throws {
        let clock = ManualClock()
        // A 16 KiB window the server never reopens (it does not read /never's body).
        let h2 = try await HTTP2Fixture.start(clock: clock, serverWindow: 16 << 10) { $0.uploadBuffer = 16 << 10 }
        let chunks = AsyncStream<[UInt8]> { continuation in
            for _ in 0..<64 { continuation.yield([UInt8](repeating: 0x61, count: 16 << 10)) }
            continuation.finish()
        }
        let armed = clock.pendingTimers
        let upload = Task {
            try await h2.connection.send(try Request(
                method: "POST", url: "https://example.com/never", body: .stream(chunks), options: Self.options(total: .seconds(3))
            ))
        }
        try await clock.waitForTimers(armed + 1) // the request's own deadline, not an older timer
        clock.advance(by: .seconds(3))
        let error = await upload.result.error
        #expect(error?.code == .totalTimeout)
        #expect(h2.server.requestCount == 0, "the upload finished: the test did not stall it")
        await waitUntil("the server saw the stream reset") { h2.server.resetsReceived.count == 1 }
        await h2.finish()
    }
}
