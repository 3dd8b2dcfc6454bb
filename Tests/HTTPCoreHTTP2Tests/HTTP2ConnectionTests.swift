import HTTPCore
import HTTPCoreHTTP2
import HTTPCoreMock
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// A client `HTTP2Connection` against `HTTP2TestServer` (an nghttp2 server session) over
/// the mock backend's in-memory pair.
struct HTTP2Fixture {
    let connection: HTTP2Connection
    let server: HTTP2TestServer
    let serving: Task<Void, Never>
    let clock: any HTTPClock

    static func start(
        clock: any HTTPClock = SystemClock(),
        maxConcurrentStreams: UInt32 = 100,
        serverWindow: Int32 = 4 << 20,
        configure: (inout HTTP2Connection.Configuration) -> Void = { _ in },
        startServer: Bool = true
    ) async throws -> HTTP2Fixture {
        let pipes = MockStreamPair.make(clock: clock)
        let server = try HTTP2TestServer(stream: pipes.server, maxConcurrentStreams: maxConcurrentStreams, streamWindow: serverWindow)
        var configuration = HTTP2Connection.Configuration()
        configure(&configuration)
        let connection = try await HTTP2Connection.start(
            over: pipes.client, origin: Origin(scheme: "https", host: "example.com", port: 443), clock: clock, configuration: configuration
        )
        let serving = startServer ? Task { await server.run() } : Task {}
        return HTTP2Fixture(connection: connection, server: server, serving: serving, clock: clock)
    }

    func get(_ path: String) async throws -> Response {
        try await connection.send(try Request(url: "https://example.com\(path)"))
    }

    func finish() async {
        await connection.close()
        await serving.value
    }
}

extension ResponseBody {
    func text() async throws -> String { String(decoding: try await collect(upTo: 1 << 26), as: UTF8.self) }
}

@Suite struct HTTP2ConnectionTests {
    @Test func getReturnsHeadAndBody() async throws {
        let h2 = try await HTTP2Fixture.start()
        let response = try await h2.get("/hello")
        #expect(response.status == .ok)
        #expect(response.version == .http2)
        #expect(response.head.headerFields[.contentType] == "text/plain")
        #expect(try await response.body.text() == "hello")
        #expect(h2.connection.description.contains("HTTP/2"))
        #expect(h2.connection.isIdle)
        let missing = try await h2.get("/nothing")
        #expect(missing.status == .notFound)
        #expect(try await missing.body.collect(upTo: 10).isEmpty)
        #expect(h2.connection.requestCount == 2)
        await h2.finish()
    }

    @Test func trailersBothWays() async throws {
        let h2 = try await HTTP2Fixture.start()
        var body = RequestBody.bytes(Array("payload".utf8))
        body.trailers = [HTTPField.Name("x-sent")!: "yes"]
        let echo = try await h2.connection.send(try Request(method: "POST", url: "https://example.com/echo", body: body))
        #expect(try await echo.body.text() == "payload")
        #expect(echo.body.trailers?[HTTPField.Name("x-sent")!] == "yes")

        let withTrailers = try await h2.get("/trailers")
        #expect(try await withTrailers.body.text() == "body")
        #expect(withTrailers.body.trailers?[HTTPField.Name("x-checksum")!] == "42")
        await h2.finish()
    }

    @Test func streamedUploadOf16MiBIsEchoedIntact() async throws {
        let h2 = try await HTTP2Fixture.start()
        let chunks = 64
        let stream = AsyncStream<[UInt8]> { continuation in
            for index in 0..<chunks { continuation.yield(payloadChunk(index, size: 256 * 1024)) }
            continuation.finish()
        }
        var sent = Checksum()
        for index in 0..<chunks { sent.add(payloadChunk(index, size: 256 * 1024)) }
        let response = try await h2.connection.send(try Request(method: "POST", url: "https://example.com/echo", body: .stream(stream, length: chunks * 256 * 1024)))
        var received = Checksum()
        for try await chunk in response.body { received.add(chunk) }
        #expect(received == sent)
        await h2.finish()
    }

    @Test func thousandConcurrentRequestsRespectTheStreamLimit() async throws {
        let h2 = try await HTTP2Fixture.start(maxConcurrentStreams: 100)
        let peak = Locked(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<1000 {
                group.addTask {
                    let response = try await h2.get("/hello")
                    peak.withLock { $0 = max($0, h2.connection.streamUsage.open) }
                    #expect(try await response.body.text() == "hello")
                }
            }
            try await group.waitForAll()
        }
        #expect(h2.server.requestCount == 1000)
        #expect(peak.withLock { $0 } <= 100)
        #expect(h2.connection.streamUsage.limit == 100)
        #expect(h2.connection.streamUsage.open == 0)
        #expect(h2.connection.requestCount == 1000)
        await h2.finish()
    }

    @Test func aSlowReaderBuffersNoMoreThanTheWindow() async throws {
        let window: Int32 = 1 << 20
        let h2 = try await HTTP2Fixture.start { $0.streamWindow = window; $0.connectionWindow = 4 << 20 }
        let size = 16 << 20
        let response = try await h2.get("/bytes/\(size)")
        // Nobody reads: the server stops at the window.
        try await Task.sleep(for: .milliseconds(200))
        #expect(h2.connection.bufferedBodyBytes <= Int(window))
        var received = Checksum()
        var expected = Checksum()
        var left = size
        var index = 0
        while left > 0 {
            let chunk = payloadChunk(index, size: 256 * 1024)
            expected.add(Array(chunk.prefix(left)))
            left -= min(left, chunk.count)
            index += 1
        }
        for try await chunk in response.body {
            received.add(chunk)
            #expect(h2.connection.bufferedBodyBytes <= Int(window))
        }
        #expect(received == expected)
        await h2.finish()
    }

    @Test func pingMeasuresTheRoundTripOnTheManualClock() async throws {
        let clock = ManualClock()
        let h2 = try await HTTP2Fixture.start(clock: clock, startServer: false)
        let ping = Task { try await h2.connection.ping() }
        await waitUntil("the PING is out") { h2.connection.pendingPingCount == 1 }
        clock.advance(by: .milliseconds(40))
        let serving = Task { await h2.server.run() }
        #expect(try await ping.value == .milliseconds(40))
        await h2.connection.close()
        await serving.value
    }

    @Test func goAwayFailsStreamsAboveTheLastIDAsNotProcessed() async throws {
        let h2 = try await HTTP2Fixture.start()
        let first = Task { try await h2.get("/never") }   // stream 1
        await waitUntil("stream 1 arrived") { h2.server.requestCount == 1 }
        let second = Task { try await h2.get("/never") }  // stream 3
        await waitUntil("stream 3 arrived") { h2.server.requestCount == 2 }
        await h2.server.perform { session in
            session.goAway(code: 0, lastStreamID: 1)
            _ = session.submitResponse(stream: 1, [(":status", "200")], hasBody: false)
        }
        let above = await second.result
        if case .failure(let error as HTTPCoreError) = above {
            #expect(error.code == .goAway)
            #expect(error.isSafeToRetry)
        } else {
            Issue.record("stream 3 should fail: \(above)")
        }
        #expect(try await first.value.status == .ok)
        #expect(!h2.connection.isAvailable)
        await #expect { try await h2.get("/hello") } throws: { error in
            (error as? HTTPCoreError)?.isSafeToRetry == true
        }
        await waitUntil("the drained connection closes") { h2.connection.isClosed }
        await h2.serving.value
    }

    @Test func resetMidBodyIsTypedAndTheConnectionStaysUsable() async throws {
        let h2 = try await HTTP2Fixture.start()
        let response = try await h2.get("/reset")
        await #expect { _ = try await response.body.collect(upTo: 1 << 20) } throws: { error in
            guard let error = error as? HTTPCoreError, let failure = error.underlying as? HTTP2Failure else { return false }
            return error.code == .streamReset && failure.errorCode == .internalError && failure.initiator == .remotePeer
        }
        #expect(try await h2.get("/hello").body.text() == "hello")
        await h2.finish()
    }

    @Test func cancellationWhileWaitingForTheHeadResetsTheStreamAndFreesTheSlot() async throws {
        let h2 = try await HTTP2Fixture.start(maxConcurrentStreams: 1)
        let waiting = Task { try await h2.get("/never") }
        await waitUntil("the request arrived") { h2.server.requestCount == 1 }
        // A second request queues behind the limit of 1; cancelling it leaves the queue.
        let queued = Task { try await h2.get("/hello") }
        try await Task.sleep(for: .milliseconds(20))
        queued.cancel()
        #expect((await queued.result.error)?.code == .cancelled)
        waiting.cancel()
        #expect((await waiting.result.error)?.code == .cancelled)
        await waitUntil("the server saw RST_STREAM(CANCEL)") { h2.server.resetsReceived.contains { $0.code == 8 } }
        #expect(h2.connection.streamUsage.open == 0)
        #expect(try await h2.get("/hello").body.text() == "hello")
        await h2.finish()
    }

    @Test func cancellationWhileReadingTheBody() async throws {
        let h2 = try await HTTP2Fixture.start { $0.streamWindow = 1 << 20 }
        let response = try await h2.get("/bytes/\(8 << 20)")
        let reader = Task {
            var count = 0
            for try await chunk in response.body { count += chunk.count }
            return count
        }
        await waitUntil("some body arrived") { h2.connection.bufferedBodyBytes > 0 || h2.connection.isIdle }
        reader.cancel()
        _ = await reader.result
        await waitUntil("the slot is free") { h2.connection.streamUsage.open == 0 }
        #expect(try await h2.get("/hello").body.text() == "hello")
        await h2.finish()
    }

    @Test func droppingABodyResetsTheStream() async throws {
        let h2 = try await HTTP2Fixture.start()
        do {
            let response = try await h2.get("/bytes/\(4 << 20)")
            #expect(response.status == .ok)
        }
        await waitUntil("the server saw RST_STREAM(CANCEL)") { h2.server.resetsReceived.contains { $0.code == 8 } }
        #expect(h2.connection.streamUsage.open == 0)
        await h2.finish()
    }
}

extension Result {
    var error: HTTPCoreError? {
        if case .failure(let error) = self { return error as? HTTPCoreError }
        return nil
    }
}

@Suite struct HTTP2FeatureTests {
    @Test func keepAlivePingsCloseADeadConnection() async throws {
        let clock = ManualClock()
        let h2 = try await HTTP2Fixture.start(clock: clock, configure: { $0.keepAliveInterval = .seconds(1); $0.keepAliveTimeout = .seconds(2) }, startServer: false)
        try await clock.waitForTimers(1)
        clock.advance(by: .seconds(1))
        await waitUntil("a keep-alive PING is out") { h2.connection.pendingPingCount == 1 }
        try await clock.waitForTimers(1)
        #expect(!h2.connection.isClosed)
        clock.advance(by: .seconds(2))
        await waitUntil("the silent peer's connection is closed") { h2.connection.isClosed }
        await #expect { try await h2.get("/hello") } throws: { ($0 as? HTTPCoreError)?.isSafeToRetry == true }
    }

    @Test func keepAlivePingsKeepAHealthyConnection() async throws {
        let clock = ManualClock()
        let h2 = try await HTTP2Fixture.start(clock: clock, configure: { $0.keepAliveInterval = .seconds(1); $0.keepAliveTimeout = .seconds(2) })
        #expect(try await h2.get("/hello").body.text() == "hello")
        try await clock.waitForTimers(1)
        clock.advance(by: .seconds(1))
        await waitUntil("the PING was answered") { h2.connection.pendingPingCount == 0 && clock.pendingTimers >= 1 }
        clock.advance(by: .seconds(5))
        #expect(!h2.connection.isClosed)
        #expect(try await h2.get("/hello").body.text() == "hello")
        await h2.finish()
    }

    @Test func priorityIsSentAsTheRFC9218Field() async throws {
        let h2 = try await HTTP2Fixture.start()
        var options = RequestOptions()
        options.priority = Priority(urgency: 1, incremental: true)
        _ = try await h2.connection.send(try Request(url: "https://example.com/hello", options: options)).body.text()
        _ = try await h2.get("/hello").body.text()
        let heads = h2.server.requestHeads
        #expect(heads.first?.contains { $0.name == "priority" && $0.value == "u=1, i" } == true)
        #expect(heads.last?.contains { $0.name == "priority" } == false)
        // Pseudo-headers first, connection-specific fields dropped.
        #expect(heads.first?.prefix(4).map(\.name) == [":method", ":scheme", ":authority", ":path"])
        await h2.finish()
    }

    @Test func connectionSpecificRequestFieldsAreDropped() async throws {
        let h2 = try await HTTP2Fixture.start()
        let request = try Request(url: "https://example.com/hello", headers: [("Connection", "keep-alive"), ("TE", "gzip"), ("X-Kept", "1")])
        _ = try await h2.connection.send(request).body.text()
        let names = h2.server.requestHeads.first?.map(\.name) ?? []
        #expect(!names.contains("connection") && !names.contains("te"))
        #expect(names.contains("x-kept"))
        await h2.finish()
    }
}

@Suite struct HTTP2UploadCancellationTests {
    /// The server never reads past its window: the sender waits for room, is cancelled
    /// there, and the stream is reset and its slot freed.
    @Test func cancellationWhileWaitingToUpload() async throws {
        let h2 = try await HTTP2Fixture.start(serverWindow: 65_535) { $0.uploadBuffer = 64 << 10 }
        let endless = AsyncStream<[UInt8]> { continuation in
            for index in 0..<1000 { continuation.yield(payloadChunk(index, size: 256 * 1024)) }
            continuation.finish()
        }
        let upload = Task { try await h2.connection.send(try Request(method: "POST", url: "https://example.com/never", body: .stream(endless))) }
        await waitUntil("the upload is stuck on the window") { h2.connection.streamUsage.open == 1 }
        try await Task.sleep(for: .milliseconds(50))
        upload.cancel()
        #expect((await upload.result.error)?.code == .cancelled)
        await waitUntil("the server saw RST_STREAM(CANCEL)") { h2.server.resetsReceived.contains { $0.code == 8 } }
        #expect(h2.connection.streamUsage.open == 0)
        #expect(try await h2.get("/hello").body.text() == "hello")
        await h2.finish()
    }
}

@Suite struct HTTP2TimeoutTests {
    func options(read: Duration) -> RequestOptions {
        var options = RequestOptions()
        options.timeouts.read = read
        return options
    }

    @Test func aHeadThatNeverComesTimesOut() async throws {
        let clock = ManualClock()
        let h2 = try await HTTP2Fixture.start(clock: clock)
        let request = Task { try await h2.connection.send(try Request(url: "https://example.com/never", options: options(read: .seconds(2)))) }
        await waitUntil("the request arrived") { h2.server.requestCount == 1 }
        try await clock.waitForTimers(1)
        clock.advance(by: .seconds(2))
        #expect((await request.result.error)?.code == .readTimeout)
        await waitUntil("the server saw RST_STREAM(CANCEL)") { h2.server.resetsReceived.contains { $0.code == 8 } }
        #expect(h2.connection.streamUsage.open == 0)
        #expect(try await h2.get("/hello").body.text() == "hello")
        await h2.finish()
    }

    @Test func aStalledBodyTimesOutBetweenBytes() async throws {
        let clock = ManualClock()
        let h2 = try await HTTP2Fixture.start(clock: clock)
        let response = try await h2.connection.send(try Request(url: "https://example.com/partial", options: options(read: .seconds(2))))
        let reader = Task { try await response.body.collect(upTo: 1 << 20) }
        await waitUntil("the reader waits") { h2.connection.bufferedBodyBytes == 0 }
        try await clock.waitForTimers(1)
        clock.advance(by: .seconds(1))
        #expect(!h2.connection.isIdle) // not yet
        clock.advance(by: .seconds(1))
        let outcome = await reader.result
        #expect(outcome.error?.code == .readTimeout, "\(outcome)")
        #expect(h2.connection.streamUsage.open == 0)
        await h2.finish()
    }
}

@Suite struct HTTP2PriorityUpdateTests {
    @Test func priorityUpdateReachesAPeerThatReadsRFC9218() async throws {
        let h2 = try await HTTP2Fixture.start()
        let response = try await h2.get("/partial")
        #expect(await h2.connection.updatePriority(of: response, to: Priority(urgency: 0, incremental: true)))
        await waitUntil("the server got PRIORITY_UPDATE") { !h2.server.priorityUpdatesReceived.isEmpty }
        #expect(h2.server.priorityUpdatesReceived.first?.stream == 1)
        #expect(h2.server.priorityUpdatesReceived.first?.value == "u=0, i")
        // A finished stream, or a response from elsewhere, gets none.
        let done = try await h2.get("/hello")
        _ = try await done.body.text()
        #expect(await h2.connection.updatePriority(of: done, to: Priority(urgency: 1)) == false)
        #expect(await h2.connection.updatePriority(of: Response(head: .init(status: .ok), body: .empty, version: .http2), to: Priority()) == false)
        await h2.finish()
    }
}
