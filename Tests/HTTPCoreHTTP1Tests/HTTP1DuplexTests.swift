import HTTPCore
import HTTPCoreHTTP1
import HTTPCoreMock
import HTTPTypes
import HTTPCoreTestSupport
import Testing

/// Full duplex on the request path: `send` returns at the response head while a streamed
/// body is still uploading, the upload runs beside the body reader, an early error
/// response stops it, and every way the exchange can end leaves nothing running.
@Suite struct HTTP1DuplexTests {
    static let postHead = "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
    static let chunkedOK = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

    static func post(_ body: some AsyncSequence<[UInt8], Never> & Sendable, length: Int? = nil) throws -> Request {
        try Request(method: "POST", url: "http://example.com/", body: .stream(body, length: length))
    }

    /// The classic deadlock: the pipe holds 1 KiB each way and every chunk is 3 KiB, so a
    /// client that wrote its whole body before reading would block for good.
    @Test func anEchoPeerSendsEachChunkBackBeforeTheNextIsYielded() async throws {
        let (client, server) = MockStreamPair.make(capacity: 1024)
        let peer = Task { try await serveChunkedEcho(server) }
        let connection = HTTP1Connection(stream: client, origin: Origin(scheme: "http", host: "example.com", port: 80), clock: SystemClock())
        let body = TrackedBody()
        let response = try await connection.send(Self.post(body))
        #expect(response.status == .ok)
        var reader = response.body.makeAsyncIterator()
        for index in 0..<5 {
            let chunk = [UInt8](repeating: UInt8(ascii: "a") + UInt8(index), count: 3000)
            body.send(chunk)
            var echoed: [UInt8] = []
            while echoed.count < chunk.count, let part = try await reader.next() { echoed += part }
            #expect(echoed == chunk, "chunk \(index) came back whole before the next was yielded")
            #expect(body.pulls <= index + 2, "the upload never runs ahead of what was yielded")
        }
        body.finish()
        #expect(try await reader.next() == nil)
        #expect(connection.isIdle, "both directions ended cleanly: the connection is reusable")
        #expect(try await peer.value == 5 * ("bb8\r\n".utf8.count + 3000 + 2) + 5)
        await waitUntil("the upload let the body go") { body.liveIterators == 0 }
        await connection.close()
    }

    @Test(arguments: ReadSplit.allCases)
    func anEarly413StopsTheUploadAndTheConnectionIsNotReused(split: ReadSplit) async throws {
        let h = Harness([
            .write(Self.postHead),
            .write("3\r\nabc\r\n"),
            .read("HTTP/1.1 413 Content Too Large\r\nContent-Length: 8\r\n\r\ntoo big!"),
        ], split: split)
        let body = TrackedBody()
        body.send("abc")
        let response = try await h.connection.send(Self.post(body))
        #expect(response.status.code == 413)
        await waitUntil("the stopped upload let the body go") { body.liveIterators == 0 }
        let pulls = body.pulls
        body.send("def")
        #expect(try await response.body.string() == "too big!")
        #expect(body.pulls == pulls, "the body is not pulled after the 413")
        #expect(h.stream.written == Array((Self.postHead + "3\r\nabc\r\n").utf8), "no more body and no last chunk")
        #expect(h.connection.isClosed)
        #expect(h.stream.closeMode == .graceful)
        h.expectScriptDone()
    }

    @Test func aStreamedPostAnsweredAfterItsBodyKeepsTheConnection() async throws {
        let h = Harness([
            .write(Self.postHead),
            .write("3\r\nabc\r\n"), .write("0\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
            .write("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\ntwo"),
        ])
        let body = TrackedBody()
        body.send("abc")
        body.finish()
        let response = try await h.connection.send(Self.post(body))
        #expect(try await response.body.string() == "ok")
        #expect(h.connection.isIdle)
        #expect(try await h.connection.send(h.get()).body.string() == "two")
        #expect(h.connection.requestCount == 2)
        h.expectScriptDone()
    }

    /// A complete keep-alive response mid-upload ends only with the upload; the request's
    /// total deadline still bounds that wait.
    @Test func theTotalDeadlineBoundsTheWaitForTheUploadAtTheBodysEnd() async throws {
        let h = Harness([
            .write(Self.postHead), .write("3\r\nabc\r\n"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        ])
        var options = RequestOptions()
        options.timeouts.total = .seconds(5)
        let body = TrackedBody()
        body.send("abc")
        let request = try Request(method: "POST", url: "http://example.com/", body: .stream(body), options: options)
        let response = try await h.connection.send(request)
        let read = Task { try await response.body.string() }
        try await h.clock.waitForTimers(1)
        #expect(body.liveIterators == 1, "the upload still waits for the body's next chunk")
        h.clock.advance(by: .seconds(5))
        let error = await #expect(throws: HTTPCoreError.self) { _ = try await read.value }
        #expect(error?.code == .totalTimeout)
        await waitUntil("the upload let the body go") { body.liveIterators == 0 }
        #expect(h.connection.isClosed)
        #expect(h.stream.closeMode == .abortive)
        #expect(h.clock.pendingTimers == 0)
    }

    // MARK: - Cancellation and release while the upload runs

    func uploadingAfterTheHead() async throws -> (Harness, TrackedBody, Response) {
        let h = Harness([.write(Self.postHead), .write("3\r\nabc\r\n"), .read(Self.chunkedOK)])
        let body = TrackedBody()
        body.send("abc")
        let response = try await h.connection.send(Self.post(body))
        #expect(response.status == .ok)
        #expect(body.liveIterators == 1, "the upload still waits for the next chunk")
        return (h, body, response)
    }

    func expectStopped(_ h: Harness, _ body: TrackedBody, sourceLocation: SourceLocation = #_sourceLocation) async {
        await waitUntil("the upload let the body go", sourceLocation: sourceLocation) { body.liveIterators == 0 }
        #expect(h.connection.isClosed, sourceLocation: sourceLocation)
        #expect(!h.connection.isAvailable, sourceLocation: sourceLocation)
        #expect(h.stream.closeMode == .abortive, sourceLocation: sourceLocation)
        #expect(h.clock.pendingTimers == 0, "a timer was left armed", sourceLocation: sourceLocation)
        #expect(h.stream.written == Array((Self.postHead + "3\r\nabc\r\n").utf8), sourceLocation: sourceLocation)
    }

    @Test func cancellingTheBodyReaderMidUploadStopsTheUpload() async throws {
        let (h, body, response) = try await uploadingAfterTheHead()
        let read = Task { try await response.body.collect(upTo: 100) }
        try await h.clock.waitForTimers(1)
        read.cancel()
        let error = await #expect(throws: HTTPCoreError.self) { _ = try await read.value }
        #expect(error?.code == .cancelled)
        await expectStopped(h, body)
    }

    @Test func droppingTheResponseBodyMidUploadStopsTheUpload() async throws {
        let (h, body, response) = try await uploadingAfterTheHead()
        response.body.close()
        await expectStopped(h, body)
    }

    @Test func closingTheConnectionStopsAnUploadWhoseSourceNeverYields() async throws {
        let (h, body, response) = try await uploadingAfterTheHead()
        // Nobody reads or drops the body, and the source never yields again: only the
        // connection's close (a pool shutting down) can end the upload.
        await h.connection.close()
        await waitUntil("the upload let the body go") { body.liveIterators == 0 }
        #expect(h.connection.isClosed)
        _ = response
    }

    @Test func cancellingSendBeforeTheHeadStopsTheUpload() async throws {
        let h = Harness([.write(Self.postHead), .write("3\r\nabc\r\n")])
        let body = TrackedBody()
        body.send("abc")
        let request = try Self.post(body)
        let send = Task { try await h.connection.send(request) }
        await waitUntil("the first chunk is written") { h.stream.isComplete }
        try await h.clock.waitForTimers(1)
        send.cancel()
        let error = await #expect(throws: HTTPCoreError.self) { _ = try await send.value }
        #expect(error?.code == .cancelled)
        await expectStopped(h, body)
    }

    // MARK: - Upload errors

    struct SourceFailure: Error {}

    @Test func anUploadErrorAfterTheHeadSurfacesFromTheBodyReader() async throws {
        let h = Harness([
            .write(Self.postHead), .write("3\r\nabc\r\n"),
            .read(Self.chunkedOK + "3\r\nxyz\r\n"),
        ])
        let (chunks, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        continuation.yield(Array("abc".utf8))
        let response = try await h.connection.send(try Request(method: "POST", url: "http://example.com/", body: .stream(chunks)))
        var reader = response.body.makeAsyncIterator()
        #expect(try await reader.next() == Array("xyz".utf8))
        continuation.finish(throwing: SourceFailure())
        do {
            _ = try await reader.next()
            Issue.record("the body read on after the upload failed")
        } catch let error as HTTPCoreError {
            #expect(error.code == .requestBodyUnreadable)
            #expect(error.underlying == nil || !(error.underlying is HTTPCoreError))
        }
        #expect(h.connection.isClosed)
        #expect(h.stream.closeMode == .abortive)
        h.expectScriptDone()
    }

    @Test func aShortBodyAfterTheHeadSurfacesAsALengthMismatchFromTheBodyReader() async throws {
        let h = Harness([
            .write("POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 6\r\n\r\n"), .write("abc"),
            .read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"),
        ])
        let body = TrackedBody()
        body.send("abc")
        let response = try await h.connection.send(Self.post(body, length: 6))
        let read = Task { try await response.body.collect(upTo: 100) }
        body.finish()
        let error = await #expect(throws: HTTPCoreError.self) { _ = try await read.value }
        #expect(error?.code == .requestBodyLengthMismatch)
        #expect(h.connection.isClosed)
        await waitUntil("the failed upload let the body go") { body.liveIterators == 0 }
        h.expectScriptDone()
    }

    @Test func anUploadErrorBeforeTheHeadSurfacesFromSend() async throws {
        let h = Harness([.write(Self.postHead), .write("3\r\nabc\r\n")])
        let (chunks, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        continuation.yield(Array("abc".utf8))
        let request = try Request(method: "POST", url: "http://example.com/", body: .stream(chunks))
        let send = Task { try await h.connection.send(request) }
        await waitUntil("the first chunk is written") { h.stream.isComplete }
        continuation.finish(throwing: SourceFailure())
        let error = await #expect(throws: HTTPCoreError.self) { _ = try await send.value }
        #expect(error?.code == .requestBodyUnreadable)
        #expect(error?.isSafeToRetry == false)
        #expect(h.connection.isClosed)
        #expect(h.clock.pendingTimers == 0)
    }
}
