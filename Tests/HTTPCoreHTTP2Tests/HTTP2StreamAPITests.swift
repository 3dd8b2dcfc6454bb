import HTTPCore
import HTTPCoreHTTP2
import HTTPCoreMock
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// A request body the test feeds one chunk at a time, and that records when the
/// connection let go of it.
struct DrivenBody: Sendable {
    let stream: AsyncThrowingStream<[UInt8], any Error>
    let continuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    let terminated = Locked(false)

    init() {
        (stream, continuation) = AsyncThrowingStream.makeStream(of: [UInt8].self)
        continuation.onTermination = { [terminated] _ in terminated.withLock { $0 = true } }
    }

    var body: RequestBody { .stream(stream) }
    var wasLetGo: Bool { terminated.withLock { $0 } }
}

extension HTTP2Connection {
    /// Nothing left behind: no stream tracked, no upload task, no slot held.
    func hasNoLeftovers() -> Bool { trackedStreamCount == 0 && uploadCount == 0 && streamUsage.open == 0 }
}

/// Full duplex through `send`, over the mock's in-memory pair against `HTTP2TestServer`.
@Suite struct HTTP2FullDuplexTests {
    @Test func eachChunkIsEchoedBeforeTheNextIsSent() async throws {
        let h2 = try await HTTP2Fixture.start()
        let driven = DrivenBody()
        // `send` returns at the head although the body has not even started.
        let response = try await h2.connection.send(try Request(method: "POST", url: "https://example.com/echo-stream", body: driven.body))
        #expect(response.status == .ok)
        var chunks = response.body.makeAsyncIterator()
        for index in 0..<5 {
            let chunk = Array("chunk \(index);".utf8)
            driven.continuation.yield(chunk)
            #expect(try await chunks.next() == chunk)
        }
        driven.continuation.finish()
        #expect(try await chunks.next() == nil)
        #expect(response.body.trailers?[HTTPField.Name("x-echo-bytes")!] == "40")
        await waitUntil("the stream is forgotten") { h2.connection.hasNoLeftovers() }
        await h2.finish()
    }

    @Test func anEarlyCompleteResponseEndsTheUploadCleanly() async throws {
        let h2 = try await HTTP2Fixture.start()
        let driven = DrivenBody()
        driven.continuation.yield(Array(repeating: 0x61, count: 1000))
        // The body never finishes: only the server's answer can end the upload.
        let response = try await h2.connection.send(try Request(method: "POST", url: "https://example.com/reject", body: driven.body))
        #expect(response.status == .contentTooLarge)
        #expect(try await response.body.text() == "too large")
        await waitUntil("the upload stopped and let go of its body") { driven.wasLetGo && h2.connection.hasNoLeftovers() }
        // No error, and the connection goes on.
        #expect(!h2.connection.isClosed)
        #expect(try await h2.get("/hello").body.text() == "hello")
        await h2.finish()
    }

    @Test func anUploadErrorAfterTheHeadReachesTheBodyReader() async throws {
        let h2 = try await HTTP2Fixture.start()
        let driven = DrivenBody()
        let response = try await h2.connection.send(try Request(method: "POST", url: "https://example.com/echo-stream", body: driven.body))
        var chunks = response.body.makeAsyncIterator()
        driven.continuation.yield(Array("a".utf8))
        #expect(try await chunks.next() == Array("a".utf8))
        driven.continuation.finish(throwing: HTTPCoreError(.requestBodyUnreadable, "the file vanished"))
        await #expect { _ = try await chunks.next() } throws: { ($0 as? HTTPCoreError)?.code == .requestBodyUnreadable }
        await waitUntil("the server saw RST_STREAM(CANCEL)") { h2.server.resetsReceived.contains { $0.code == 8 } }
        await waitUntil("nothing is left") { h2.connection.hasNoLeftovers() }
        await h2.finish()
    }

    @Test func droppingTheResponseMidUploadStopsTheUpload() async throws {
        let h2 = try await HTTP2Fixture.start()
        let driven = DrivenBody()
        do {
            let response = try await h2.connection.send(try Request(method: "POST", url: "https://example.com/echo-stream", body: driven.body))
            driven.continuation.yield(Array("x".utf8))
            var chunks = response.body.makeAsyncIterator()
            #expect(try await chunks.next() == Array("x".utf8))
        }
        await waitUntil("the upload let go of its body") { driven.wasLetGo }
        await waitUntil("the server saw RST_STREAM(CANCEL)") { h2.server.resetsReceived.contains { $0.code == 8 } }
        await waitUntil("nothing is left") { h2.connection.hasNoLeftovers() }
        await h2.finish()
    }

    @Test func cancellingTheTaskMidUploadStopsTheUpload() async throws {
        let h2 = try await HTTP2Fixture.start()
        let driven = DrivenBody()
        let echoed = Locked(0)
        let exchange = Task {
            let response = try await h2.connection.send(try Request(method: "POST", url: "https://example.com/echo-stream", body: driven.body))
            for try await chunk in response.body { echoed.withLock { $0 += chunk.count } }
        }
        driven.continuation.yield(Array("first".utf8))
        await waitUntil("the first chunk came back") { echoed.withLock { $0 } == 5 }
        exchange.cancel()
        #expect((await exchange.result.error)?.code == .cancelled)
        await waitUntil("the upload let go of its body") { driven.wasLetGo }
        await waitUntil("nothing is left") { h2.connection.hasNoLeftovers() }
        #expect(try await h2.get("/hello").body.text() == "hello")
        await h2.finish()
    }

    @Test func aDeadlineWhileUploadingFailsTheExchange() async throws {
        let clock = ManualClock()
        let h2 = try await HTTP2Fixture.start(clock: clock)
        let driven = DrivenBody()
        var options = RequestOptions()
        options.timeouts.total = .seconds(5)
        options.timeouts.read = nil
        let response = try await h2.connection.send(try Request(method: "POST", url: "https://example.com/echo-stream", body: driven.body, options: options))
        let reading = Task { try await response.body.collect(upTo: 1 << 20) }
        // The body stalls: the total deadline ends the stream, the upload and the read.
        try await clock.waitForTimers(1)
        clock.advance(by: .seconds(5))
        #expect((await reading.result.error)?.code == .totalTimeout)
        await waitUntil("the upload let go of its body") { driven.wasLetGo }
        await waitUntil("nothing is left") { h2.connection.hasNoLeftovers() }
        await h2.finish()
    }
}

/// aioh2's stream API on `HTTP2Connection`, over the mock against `HTTP2TestServer`.
@Suite struct HTTP2StreamAPITests {
    static let post = HTTPRequest(method: .post, scheme: "https", authority: "example.com", path: "/echo-stream")

    @Test func aStreamSendsAndReadsInPiecesWithTrailers() async throws {
        let h2 = try await HTTP2Fixture.start()
        let stream = try await h2.connection.startRequest(Self.post)
        try await h2.connection.sendData(Array("hello".utf8), on: stream)
        let head = try await h2.connection.receiveResponse(on: stream)
        #expect(head.status == .ok)
        #expect(try await h2.connection.readStream(stream, maxBytes: 100) == Array("hello".utf8))
        try await h2.connection.sendData(Array("world".utf8), on: stream)
        #expect(try await h2.connection.readStream(stream, maxBytes: 2) == Array("wo".utf8))
        try await h2.connection.sendTrailers([HTTPField.Name("x-sent")!: "yes"], on: stream)
        #expect(try await h2.connection.readStream(stream) == Array("rld".utf8))
        let trailers = try await h2.connection.receiveTrailers(on: stream)
        #expect(trailers[HTTPField.Name("x-echo-bytes")!] == "10")
        #expect(trailers[HTTPField.Name("x-sent")!] == "yes")
        #expect(try await h2.connection.waitFunctional() >= .zero)
        await waitUntil("nothing is left") { h2.connection.hasNoLeftovers() }
        await h2.finish()
    }

    @Test func readStreamWithoutALimitReadsToTheEndAndThenReturnsNothing() async throws {
        let h2 = try await HTTP2Fixture.start()
        let get = HTTPRequest(method: .get, scheme: "https", authority: "example.com", path: "/bytes/100000")
        let stream = try await h2.connection.startRequest(get, endStream: true)
        #expect(try await h2.connection.receiveResponse(on: stream).status == .ok)
        var pieces = 0
        var total = 0
        while true {
            let piece = try await h2.connection.readStream(stream, maxBytes: 30000)
            if piece.isEmpty { break }
            #expect(piece.count <= 30000)
            pieces += 1
            total += piece.count
        }
        #expect(total == 100_000)
        #expect(pieces >= 4)
        #expect(try await h2.connection.readStream(stream).isEmpty) // the end, again
        #expect(try await h2.connection.receiveTrailers(on: stream).isEmpty)
        await waitUntil("nothing is left") { h2.connection.hasNoLeftovers() }
        await h2.finish()
    }

    @Test func resetStreamSendsTheChosenCodeAndFailsItsWaiters() async throws {
        let h2 = try await HTTP2Fixture.start(maxConcurrentStreams: 1)
        let never = HTTPRequest(method: .get, scheme: "https", authority: "example.com", path: "/never")
        let stream = try await h2.connection.startRequest(never, endStream: true)
        let waiting = Task { try await h2.connection.receiveResponse(on: stream) }
        await waitUntil("the request arrived and the receive waits") {
            h2.server.requestCount == 1 && h2.connection.isWaitingForHead(stream)
        }
        h2.connection.resetStream(stream, code: .enhanceYourCalm)
        #expect((await waiting.result.error)?.code == .cancelled)
        await waitUntil("the server saw RST_STREAM(ENHANCE_YOUR_CALM)") { h2.server.resetsReceived.contains { $0.code == 0xb } }
        // The slot (the server allows one stream) is free again.
        #expect(try await h2.get("/hello").body.text() == "hello")
        await #expect { try await h2.connection.sendData([1], on: stream) } throws: { ($0 as? HTTPCoreError)?.code == .connectionClosed }
        await waitUntil("nothing is left") { h2.connection.hasNoLeftovers() }
        await h2.finish()
    }

    @Test func aCancelledReadResetsTheStream() async throws {
        let h2 = try await HTTP2Fixture.start()
        let stream = try await h2.connection.startRequest(Self.post)
        _ = try await h2.connection.receiveResponse(on: stream)
        let reader = Task { try await h2.connection.readStream(stream) }
        try await Task.sleep(for: .milliseconds(20))
        reader.cancel()
        #expect((await reader.result.error)?.code == .cancelled)
        await waitUntil("the server saw RST_STREAM(CANCEL)") { h2.server.resetsReceived.contains { $0.code == 8 } }
        await waitUntil("nothing is left") { h2.connection.hasNoLeftovers() }
        await h2.finish()
    }

    @Test func aCancelledSendWaitingForTheWindowResetsTheStream() async throws {
        // The server never reads: flow control holds the bytes and sendData waits.
        let h2 = try await HTTP2Fixture.start(configure: { $0.uploadBuffer = 16 << 10 }, startServer: false)
        let stream = try await h2.connection.startRequest(Self.post)
        let sending = Task { try await h2.connection.sendData(Array(repeating: 7, count: 1 << 20), on: stream) }
        try await Task.sleep(for: .milliseconds(50))
        sending.cancel()
        #expect((await sending.result.error)?.code == .cancelled)
        #expect(h2.connection.hasNoLeftovers())
        #expect(!h2.connection.isClosed)
        await h2.connection.close()
    }

    @Test func sendDataWaitsForTheWindowAndGoesOnWhenItOpens() async throws {
        // The server's window is 64 KiB and our upload buffer 16 KiB: a 1 MiB send must
        // wait for the server to read, and finish once it does (the echo reads at once).
        let h2 = try await HTTP2Fixture.start(serverWindow: 64 << 10) { $0.uploadBuffer = 16 << 10 }
        let stream = try await h2.connection.startRequest(Self.post)
        let reader = Task {
            var total = 0
            while true {
                let piece = try await h2.connection.readStream(stream, maxBytes: 1 << 20)
                if piece.isEmpty { return total }
                total += piece.count
            }
        }
        for index in 0..<16 { try await h2.connection.sendData(Array(payloadChunk(index, size: 256 << 10).prefix(64 << 10)), on: stream) }
        try await h2.connection.endStream(stream)
        #expect(try await reader.value == 1 << 20)
        #expect(h2.server.bodyBytesReceived(on: stream.rawValue) == 1 << 20)
        await h2.finish()
    }
}

/// `waitFunctional` on the manual clock: no PING while the peer was heard recently, a PING
/// when it was not, and a silent peer's connection closed once its PING goes unanswered
/// for `keepAliveTimeout`.
@Suite struct HTTP2WaitFunctionalTests {
    @Test func aRecentlyHeardPeerNeedsNoPing() async throws {
        let clock = ManualClock()
        let h2 = try await HTTP2Fixture.start(clock: clock)
        #expect(try await h2.get("/hello").body.text() == "hello")
        // The SETTINGS acknowledgement measured the first round trip (zero on this clock).
        #expect(try await h2.connection.waitFunctional() == .zero)
        #expect(h2.connection.pendingPingCount == 0)
        #expect(h2.server.pingsReceived == 0)
        clock.advance(by: .seconds(3))
        // Silent for longer than functionalTimeout (2 s): now a PING goes out.
        #expect(try await h2.connection.waitFunctional() == .zero)
        #expect(h2.server.pingsReceived == 1)
        await h2.finish()
    }

    @Test func aSilentPeerIsClosedAfterTheFunctionalTimeout() async throws {
        let clock = ManualClock()
        let h2 = try await HTTP2Fixture.start(clock: clock, configure: { $0.functionalTimeout = .milliseconds(100); $0.keepAliveTimeout = .seconds(1) }, startServer: false)
        let check = Task { try await h2.connection.waitFunctional() }
        await waitUntil("the PING is out") { h2.connection.pendingPingCount == 1 }
        try await clock.waitForTimers(1)
        clock.advance(by: .milliseconds(999))
        #expect(!h2.connection.isClosed)
        clock.advance(by: .milliseconds(1))
        #expect((await check.result.error)?.code == .readTimeout)
        await waitUntil("the silent peer's connection is closed") { h2.connection.isClosed }
        await #expect { try await h2.get("/hello") } throws: { ($0 as? HTTPCoreError)?.isSafeToRetry == true }
    }
}
