import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreMock
import HTTPTypes
import HTTPCoreTestSupport
import Testing

/// A task cancelled at any await point of an exchange gets a cancellation error, and the
/// connection is closed (abortively) and never reused.
@Suite struct HTTP1CancellationTests {
    static let getHead = "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"

    func expectCancelled(_ task: Task<some Sendable, any Error>, _ h: Harness, sourceLocation: SourceLocation = #_sourceLocation) async {
        task.cancel()
        let error = await #expect(throws: HTTPCoreError.self, sourceLocation: sourceLocation) { _ = try await task.value }
        #expect(error?.code == .cancelled, sourceLocation: sourceLocation)
        #expect(error?.category == .cancelled, sourceLocation: sourceLocation)
        #expect(h.connection.isClosed, sourceLocation: sourceLocation)
        #expect(!h.connection.isAvailable, sourceLocation: sourceLocation)
        #expect(h.stream.closeMode == .abortive, sourceLocation: sourceLocation)
        #expect(h.clock.pendingTimers == 0, "a cancelled exchange left a timer armed", sourceLocation: sourceLocation)
    }

    @Test func beforeTheRequestStartsNothingIsSpent() async throws {
        let h = Harness([])
        let request = try h.get()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await h.connection.send(request)
        }
        let error = await #expect(throws: HTTPCoreError.self) { _ = try await task.value }
        #expect(error?.code == .cancelled)
        #expect(error?.isSafeToRetry == true)
        #expect(h.connection.isAvailable)
        #expect(h.stream.written.isEmpty)
    }

    @Test func whileWritingTheHead() async throws {
        let h = Harness([.delay(.seconds(60)), .write(Self.getHead)])
        let request = try h.get()
        let task = Task { try await h.connection.send(request) }
        try await h.clock.waitForTimers(2)
        await expectCancelled(task, h)
    }

    @Test func whileWaitingForTheNextBodyChunk() async throws {
        let h = Harness([.write("POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n")])
        let body = GatedBody()
        let request = try Request(method: "POST", url: "http://example.com/", body: .stream(body))
        let task = Task { try await h.connection.send(request) }
        await waitUntil("the head is written") { h.stream.isComplete }
        await expectCancelled(task, h)
        body.finish()
    }

    @Test func whileWritingABodyChunk() async throws {
        let h = Harness([
            .write("POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"),
            .delay(.seconds(60)), .write("3\r\nabc\r\n"),
        ])
        let body = GatedBody()
        body.send("abc")
        let request = try Request(method: "POST", url: "http://example.com/", body: .stream(body))
        let task = Task { try await h.connection.send(request) }
        // The script's delay, the chunk's write deadline in the upload task, and the read
        // deadline of `send` waiting for the head beside it (full duplex).
        try await h.clock.waitForTimers(3)
        await expectCancelled(task, h)
    }

    @Test func whileWaitingForContinue() async throws {
        let h = Harness([.write("POST / HTTP/1.1\r\nHost: example.com\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")])
        let request = try Request(method: "POST", url: "http://example.com/", headers: [("Expect", "100-continue")], body: .string("abc"))
        let task = Task { try await h.connection.send(request) }
        try await h.clock.waitForTimers(1)
        await expectCancelled(task, h)
    }

    @Test(arguments: ReadSplit.allCases)
    func whileAwaitingTheHead(split: ReadSplit) async throws {
        let h = Harness([.write(Self.getHead), .read("HTTP/1.1 200 OK\r\n")], split: split)
        let request = try h.get()
        let task = Task { try await h.connection.send(request) }
        await waitUntil("the partial head is read") { h.stream.isComplete }
        try await h.clock.waitForTimers(1)
        await expectCancelled(task, h)
    }

    @Test(arguments: ReadSplit.allCases)
    func whileReadingTheBody(split: ReadSplit) async throws {
        let h = Harness([.write(Self.getHead), .read("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome")], split: split)
        let response = try await h.connection.send(h.get())
        let task = Task { try await response.body.collect(upTo: 1000) }
        await waitUntil("the partial body is read") { h.stream.isComplete }
        try await h.clock.waitForTimers(1)
        await expectCancelled(task, h)
    }

    @Test func theOtherRequestsOnAPoolAreNotAffected() async throws {
        // A cancelled exchange never poisons a later one: the connection refuses new work.
        let h = Harness([.write(Self.getHead)])
        let request = try h.get()
        let task = Task { try await h.connection.send(request) }
        try await h.clock.waitForTimers(1)
        await expectCancelled(task, h)
        let error = await #expect(throws: HTTPCoreError.self) { try await h.connection.send(h.get()) }
        #expect(error?.code == .connectionClosed)
        #expect(error?.isSafeToRetry == true)
    }
}

@Suite struct HTTP1ExpectContinueTests {
    static let head = "POST / HTTP/1.1\r\nHost: example.com\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"

    func request() throws -> Request {
        try Request(method: "POST", url: "http://example.com/", headers: [("Expect", "100-continue")], body: .string("abc"))
    }

    @Test(arguments: ReadSplit.allCases)
    func bodyFollowsContinue(split: ReadSplit) async throws {
        let h = Harness([
            .write(Self.head),
            .read("HTTP/1.1 100 Continue\r\n\r\n"),
            .write("abc"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ], split: split)
        let response = try await h.connection.send(request())
        #expect(try await response.body.string() == "ok")
        #expect(h.connection.isIdle)
        h.expectScriptDone()
    }

    @Test func finalResponseBeforeContinueSkipsTheBodyAndCloses() async throws {
        let h = Harness([
            .write(Self.head),
            .read("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n"),
        ])
        let response = try await h.connection.send(request())
        #expect(response.status.code == 417)
        #expect(h.stream.written == Array(Self.head.utf8))
        #expect(h.connection.isClosed)
        h.expectScriptDone()
    }

    @Test func noContinueWithinTheTimeoutSendsTheBodyAnyway() async throws {
        let h = Harness([
            .write(Self.head),
            .write("abc"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        ])
        let request = try request()
        let send = Task { try await h.connection.send(request) }
        try await h.clock.waitForTimers(1)
        h.clock.advance(by: .milliseconds(999))
        #expect(h.stream.written == Array(Self.head.utf8))
        h.clock.advance(by: .milliseconds(1))
        #expect(try await send.value.status == .ok)
        h.expectScriptDone()
    }
}
