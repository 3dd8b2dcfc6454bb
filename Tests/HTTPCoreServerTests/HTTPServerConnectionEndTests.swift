import HTTPCore
import HTTPCoreMock
import HTTPCoreServer
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// The write timeout, the handler's typed errors when a client vanishes or stops reading,
/// and the server's account of why each connection ended (`statistics`, `onEvent`), on
/// the mock backend's bounded pipes (256 KiB each way) and manual clock: every time here
/// is exact.
@Suite struct HTTPServerConnectionEndTests {
    /// What the handler of "/download" and "/upload" saw.
    final class Outcome: Sendable {
        private let state = Locked((error: HTTPCoreError?.none, written: 0, events: [HTTPServer.Event]()))
        var error: HTTPCoreError? { state.withLock { $0.error } }
        var written: Int { state.withLock { $0.written } }
        var ends: [HTTPServer.ConnectionEnd: Duration] {
            state.withLock { state in
                var ends: [HTTPServer.ConnectionEnd: Duration] = [:]
                for case .connectionEnded(let end, let duration, _) in state.events { ends[end] = duration }
                return ends
            }
        }

        func failed(_ error: any Error) { state.withLock { $0.error = error as? HTTPCoreError } }
        func wrote(_ count: Int) { state.withLock { $0.written += count } }
        func record(_ event: HTTPServer.Event) { state.withLock { $0.events.append(event) } }
    }

    /// "/download" writes `size` bytes in writes of `piece`; "/upload" reads the body.
    static func start(size: Int = 64 << 20, piece: Int = 64 << 10, outcome: Outcome) async throws -> ServerFixture {
        try await ServerFixture.start({ configuration in
            configuration.timeouts.write = .seconds(5)
            configuration.timeouts.body = .seconds(60)
            configuration.timeouts.idle = nil
            configuration.concurrency = 4
            configuration.onEvent = { outcome.record($0) }
        }, handler: .requests { request, response in
            do {
                if request.head.path == "/upload" {
                    let body = try await request.body.collect(upTo: 1 << 20)
                    try await response.respond(HTTPResponse(status: .ok), body: body)
                    return
                }
                try await response.writeHead(HTTPResponse(status: .ok))
                var sent = 0
                while sent < size {
                    let count = min(piece, size - sent)
                    try await response.write([UInt8](repeating: 0x61, count: count))
                    outcome.wrote(count)
                    sent += count
                }
                try await response.finish()
            } catch {
                outcome.failed(error)
                throw error
            }
        })
    }

    @Test func anHTTP1ClientThatStopsReadingIsCutAtTheWriteTimeout() async throws {
        let outcome = Outcome()
        let fixture = try await Self.start(outcome: outcome)
        let client = try await fixture.connect()
        try await client.write(Array("GET /download HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        // The pipe takes 256 KiB; then one write waits, with the write deadline its timer.
        let clock = fixture.backend.manualClock
        try await clock.waitForTimers(1)
        let accepted = outcome.written
        clock.advance(by: .milliseconds(4999))
        #expect(outcome.error == nil, "not before the write timeout")
        clock.advance(by: .milliseconds(1))
        await waitUntil("the connection is gone") { fixture.server.connectionCount == 0 }
        #expect(outcome.error?.code == .writeTimeout)
        #expect(outcome.written == accepted, "nothing more was taken")
        #expect(fixture.server.requestsInFlight == 0)
        let statistics = fixture.server.statistics
        #expect(statistics.connectionsEnded == [.timeout(.write): 1])
        #expect(statistics.requestsFailed == [.timeout(.write): 1])
        #expect(outcome.ends == [.timeout(.write): .seconds(5)])
        await client.close(.abortive)
        await fixture.server.shutdown()
    }

    @Test func anHTTP2StreamWhoseWindowNeverOpensIsResetAtTheWriteTimeout() async throws {
        let outcome = Outcome()
        let fixture = try await Self.start(outcome: outcome)
        // Our pool reads the socket but not the body: the client's 4 MiB stream window
        // fills and stays shut (flow control, not the socket, stops the response).
        let pool = try fixture.pool(http2: true)
        let response = try await pool.send(try Request(url: fixture.url + "/download"))
        #expect(response.status == .ok)
        let clock = fixture.backend.manualClock
        await waitUntil("the window is full") { outcome.written >= 4 << 20 }
        try await clock.waitForTimers(1)
        clock.advance(by: .milliseconds(4999))
        #expect(outcome.error == nil, "not before the write timeout")
        clock.advance(by: .milliseconds(1))
        await waitUntil("the handler's write failed") { outcome.error != nil }
        #expect(outcome.error?.code == .writeTimeout)
        await waitUntil("the permit is back") { fixture.server.requestsInFlight == 0 }
        #expect(fixture.server.statistics.requestsFailed == [.timeout(.write): 1])
        await #expect(throws: HTTPCoreError.self) { _ = try await response.body.collect(upTo: 64 << 20) }
        await pool.shutdown()
        await waitUntil("the connection is gone") { fixture.server.connectionCount == 0 }
        // The stream's reset leaves the connection up (it ends when the pool leaves), unless
        // a flush to the 256 KiB pipe was waiting at the same instant: its own write
        // deadline (also 5 s) then ends the connection too.
        let ends = fixture.server.statistics.connectionsEnded
        #expect(ends == [.closed: 1] || ends == [.timeout(.write): 1], "\(ends)")
        await fixture.server.shutdown()
    }

    @Test func aLargeWriteToASlowReaderIsBoundedPerPieceNotAsAWhole() async throws {
        let outcome = Outcome()
        // One 2 MiB write: 8 pieces of 256 KiB, each taken within 4 s of manual time, 32 s in all.
        let fixture = try await Self.start(size: 2 << 20, piece: 2 << 20, outcome: outcome)
        let client = try await fixture.connect()
        try await client.write(Array("GET /download HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".utf8))
        let clock = fixture.backend.manualClock
        let start = clock.now
        var received = 0
        while let bytes = try await client.read(maxBytes: 64 << 10, deadline: nil) {
            received += bytes.count
            clock.advance(by: .seconds(1))
        }
        #expect(received > 2 << 20, "the whole body (and the head) arrived")
        #expect(start.duration(to: clock.now) >= .seconds(32), "longer than one write timeout in all")
        #expect(outcome.error == nil)
        #expect(outcome.written == 2 << 20)
        await waitUntil("the connection is gone") { fixture.server.connectionCount == 0 }
        #expect(fixture.server.statistics.connectionsEnded == [.closed: 1])
        await fixture.server.shutdown()
    }

    @Test(arguments: [CloseMode.graceful, .abortive])
    func anHTTP1ClientGoneMidUploadIsANetworkFailureForTheHandler(close: CloseMode) async throws {
        let outcome = Outcome()
        let fixture = try await Self.start(outcome: outcome)
        let client = try await fixture.connect()
        try await client.write(Array("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789".utf8))
        await waitUntil("the handler reads") { fixture.server.requestsInFlight == 1 }
        await client.close(close)
        await waitUntil("the connection is gone") { fixture.server.connectionCount == 0 }
        // FIN or RST, the handler sees one category: the network failed under its read.
        #expect(outcome.error?.category == .network(.read), "\(String(describing: outcome.error))")
        #expect(outcome.error?.code == (close == .graceful ? .truncatedRequest : .connectionReset))
        #expect(fixture.server.requestsInFlight == 0)
        #expect(fixture.server.statistics.connectionsEnded == [.aborted: 1])
        #expect(fixture.server.statistics.requestsFailed == [.network(.read): 1])
        await fixture.server.shutdown()
    }

    @Test func anHTTP2ClientGoneMidUploadIsANetworkFailureForTheHandler() async throws {
        let outcome = Outcome()
        let fixture = try await Self.start(outcome: outcome)
        let pool = try fixture.pool(http2: true)
        let (body, continuation) = AsyncStream<[UInt8]>.makeStream()
        continuation.yield(Array("0123456789".utf8))
        let upload = Task { try await pool.send(try Request(method: "POST", url: fixture.url + "/upload", body: .stream(body))) }
        await waitUntil("the handler reads") { fixture.server.requestsInFlight == 1 }
        await pool.shutdown() // the client's connection closes with the body unfinished
        await waitUntil("the handler failed") { outcome.error != nil }
        #expect(outcome.error?.category == .network(.read), "\(String(describing: outcome.error))")
        await waitUntil("the connection is gone") { fixture.server.connectionCount == 0 }
        #expect(fixture.server.requestsInFlight == 0)
        #expect(fixture.server.statistics.requestsFailed == [.network(.read): 1])
        continuation.finish()
        _ = try? await upload.value
        await fixture.server.shutdown()
    }

    @Test(arguments: [false, true])
    func aHalfSentHeadEndsAtTheRequestHeadTimeout(http2: Bool) async throws {
        let outcome = Outcome()
        let fixture = try await ServerFixture.start({ configuration in
            configuration.timeouts.requestHead = .seconds(10)
            configuration.onEvent = { outcome.record($0) }
        }, handler: helloHandler)
        let client = try await fixture.connect()
        // Half an HTTP/1.1 head, or half of HTTP/2's preface.
        try await client.write(Array((http2 ? "PRI * HTTP/2.0\r\n" : "GET / HTTP/1.1\r\nHost:").utf8))
        let clock = fixture.backend.manualClock
        try await clock.waitForTimers(1)
        clock.advance(by: .seconds(10))
        _ = try? await client.readAll() // a 408 (HTTP/1.1) or an abortive close
        await waitUntil("the connection is gone") { fixture.server.connectionCount == 0 }
        #expect(fixture.server.statistics.connectionsEnded == [.timeout(.requestHead): 1])
        #expect(outcome.ends == [.timeout(.requestHead): .seconds(10)])
        await fixture.server.shutdown()
    }
}
