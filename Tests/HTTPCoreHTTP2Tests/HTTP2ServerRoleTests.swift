import HTTPCore
import HTTPCoreHTTP2
import HTTPCoreMock
import HTTPCoreTestSupport
import HTTPTypes
import Testing

/// Our client against our server: two `HTTP2Connection`s, one per role, on the mock's
/// in-memory pair. The server side is aioh2's: `receiveRequest`, `readStream`,
/// `startResponse`, `sendData`, `sendTrailers`.
struct HTTP2RolePair {
    let client: HTTP2Connection
    let server: HTTP2Connection
    static let origin = Origin(scheme: "http", host: "example.com", port: 80)

    static func start(
        clock: any HTTPClock = SystemClock(), capacity: Int = 256 * 1024,
        server configure: (inout HTTP2Connection.Configuration) -> Void = { _ in }
    ) async throws -> HTTP2RolePair {
        let pipes = MockStreamPair.make(clock: clock, capacity: capacity)
        var configuration = HTTP2Connection.Configuration()
        // The server's own PING deadline too (see the client's below): under
        // ThreadSanitizer on a loaded machine a 10 s deadline ended a live pair.
        configuration.keepAliveTimeout = .seconds(60)
        configure(&configuration)
        let server = try await HTTP2Connection.accept(over: pipes.server, origin: origin, clock: clock, configuration: configuration)
        // A PING unanswered for 10 s (the default) ends the connection. Twice in the full
        // suite on a loaded machine the first waitFunctional() failed so, never in
        // isolation (30 of 30). Likely cause: tests that ran hx synchronously on the
        // cooperative threads (two on this machine), starving this in-process pair; they
        // now run it off them (HXTests), and this pair gets a margin as well.
        var clientConfiguration = HTTP2Connection.Configuration()
        clientConfiguration.keepAliveTimeout = .seconds(60)
        let client = try await HTTP2Connection.start(over: pipes.client, origin: origin, clock: clock, configuration: clientConfiguration)
        return HTTP2RolePair(client: client, server: server)
    }

    /// Serves every stream with `handler` in a task of its own until the connection ends.
    func serve(_ handler: @escaping @Sendable (HTTP2Connection, HTTP2StreamID, HTTPRequest) async throws -> Void) -> Task<Void, any Error> {
        Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                while let (id, head) = try await server.receiveRequest() {
                    group.addTask { try? await handler(server, id, head) }
                }
                try await group.waitForAll()
            }
        }
    }

    static let post = HTTPRequest(method: .post, scheme: "http", authority: "example.com", path: "/")
}

@Suite struct HTTP2ServerRoleTests {
    /// aioh2's README example: "hello, " plus the request body, with trailer `len`.
    static let hello: @Sendable (HTTP2Connection, HTTP2StreamID, HTTPRequest) async throws -> Void = { server, id, _ in
        let body = try await server.readStream(id)
        try await server.startResponse(HTTPResponse(status: .ok), on: id)
        try await server.sendData(Array("hello, ".utf8) + body, on: id)
        try await server.sendTrailers([HTTPField.Name("len")!: "\(body.count)"], on: id)
    }

    @Test func aioh2HelloThroughTheStreamAPIAndThroughSend() async throws {
        let pair = try await HTTP2RolePair.start()
        let serving = pair.serve(Self.hello)
        #expect(try await pair.client.waitFunctional() >= .zero)

        let id = try await pair.client.startRequest(HTTP2RolePair.post)
        try await pair.client.sendData(Array("world".utf8), on: id, endStream: true)
        #expect(try await pair.client.receiveResponse(on: id).status == .ok)
        #expect(try await pair.client.readStream(id) == Array("hello, world".utf8))
        #expect(try await pair.client.receiveTrailers(on: id)[HTTPField.Name("len")!] == "5")

        let response = try await pair.client.send(try Request(method: "POST", url: "http://example.com/", body: .bytes(Array("swift".utf8))))
        #expect(try await response.body.text() == "hello, swift")
        #expect(response.body.trailers?[HTTPField.Name("len")!] == "5")

        await pair.client.close()
        try await serving.value // receiveRequest returned nil: the client closed
        await waitUntil("both sides forgot every stream") { pair.client.trackedStreamCount == 0 && pair.server.trackedStreamCount == 0 }
    }

    /// A task cancelled while it writes the connection's frames must not cut them: the
    /// stream abandons a cancelled task's write (its contract), and a frame cut short
    /// breaks every stream of the connection. Pipes of 64 bytes and an upload beside make
    /// nearly every write wait for the peer, so callers of `startRequest` cancelled at
    /// random points land mid-write; the upload and every request after must still be
    /// answered whole.
    @Test func callersCancelledMidWriteNeverCutTheConnectionsFrames() async throws {
        let pair = try await HTTP2RolePair.start(capacity: 64)
        let serving = pair.serve { server, id, _ in
            let body = try await server.readStream(id)
            try await server.startResponse(HTTPResponse(status: .ok), on: id)
            try await server.sendData(Array("whole \(body.count)".utf8), on: id, endStream: true)
        }
        let upload = Task {
            // No read deadline: the upload is answered only after all 600 rounds, which
            // under ThreadSanitizer on a loaded machine took longer than the default 30 s.
            let id = try await pair.client.startRequest(HTTP2RolePair.post, options: RequestOptions(timeouts: .none))
            for _ in 0..<64 { try await pair.client.sendData([UInt8](repeating: 0x61, count: 4096), on: id) }
            try await pair.client.endStream(id)
            _ = try await pair.client.receiveResponse(on: id)
            return String(decoding: try await pair.client.readStream(id), as: UTF8.self)
        }
        let get = HTTPRequest(method: .get, scheme: "http", authority: "example.com", path: "/")
        for round in 0..<600 {
            let opening = Task { try await pair.client.startRequest(get, endStream: true) }
            for _ in 0..<(round % 5) { await Task.yield() }
            opening.cancel()
            // A request that opened before the cancel landed is the caller's to let go.
            if case .success(let id) = await opening.result { pair.client.resetStream(id) }
        }
        #expect(try await upload.value == "whole 262144")
        for _ in 0..<10 {
            let response = try await pair.client.send(try Request(url: "http://example.com/"))
            #expect(try await response.body.text() == "whole 0")
        }
        await pair.client.close()
        _ = try? await serving.value
    }

    @Test func aServerEchoStreamsEachChunkBackAsItArrives() async throws {
        let pair = try await HTTP2RolePair.start()
        let serving = pair.serve { server, id, _ in
            try await server.startResponse(HTTPResponse(status: .ok), on: id)
            var total = 0
            while true {
                let piece = try await server.readStream(id, maxBytes: 1 << 16)
                if piece.isEmpty { break }
                total += piece.count
                try await server.sendData(piece, on: id)
            }
            try await server.sendTrailers([HTTPField.Name("x-echo-bytes")!: "\(total)"], on: id)
        }
        let driven = DrivenBody()
        let response = try await pair.client.send(try Request(method: "POST", url: "http://example.com/echo", body: driven.body))
        var chunks = response.body.makeAsyncIterator()
        for index in 0..<4 {
            let chunk = Array("piece \(index)|".utf8)
            driven.continuation.yield(chunk)
            #expect(try await chunks.next() == chunk)
        }
        driven.continuation.finish()
        #expect(try await chunks.next() == nil)
        #expect(response.body.trailers?[HTTPField.Name("x-echo-bytes")!] == "32")
        await pair.client.close()
        try await serving.value
    }

    @Test func theServersStreamLimitHoldsTheClientToIt() async throws {
        let pair = try await HTTP2RolePair.start(server: { $0.maxConcurrentStreams = 3 })
        let inFlight = Locked((now: 0, peak: 0))
        let serving = pair.serve { server, id, _ in
            inFlight.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            try await Task.sleep(for: .milliseconds(20))
            inFlight.withLock { $0.now -= 1 }
            try await server.startResponse(HTTPResponse(status: .noContent), on: id, endStream: true)
        }
        await waitUntil("the server's SETTINGS arrived") { pair.client.peerStreamLimit == 3 }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    let response = try await pair.client.send(try Request(url: "http://example.com/"))
                    #expect(response.status == .noContent)
                }
            }
            try await group.waitForAll()
        }
        #expect(inFlight.withLock { $0.peak } == 3)
        await waitUntil("the server forgot every stream") { pair.server.trackedStreamCount == 0 }
        await pair.client.close()
        try await serving.value
    }

    @Test func aClientResetReachesTheHandlerTyped() async throws {
        let pair = try await HTTP2RolePair.start()
        let seen = Locked<HTTPCoreError?>(nil)
        let serving = pair.serve { server, id, _ in
            do {
                _ = try await server.readStream(id)
            } catch let error as HTTPCoreError {
                seen.withLock { $0 = error }
            }
        }
        let id = try await pair.client.startRequest(HTTP2RolePair.post)
        try await pair.client.sendData([1, 2, 3], on: id)
        await waitUntil("the server has the stream") { pair.server.trackedStreamCount == 1 }
        pair.client.resetStream(id, code: .cancel)
        await waitUntil("the handler saw the reset") { seen.withLock { $0 } != nil }
        let error = seen.withLock { $0 }
        #expect(error?.code == .streamReset)
        #expect((error?.underlying as? HTTP2Failure)?.errorCode == .cancel)
        await waitUntil("the server forgot the stream") { pair.server.trackedStreamCount == 0 }
        await pair.client.close()
        try await serving.value
    }

    @Test func theServerReadsTheClientsPriorityAndItsUpdates() async throws {
        let pair = try await HTTP2RolePair.start()
        let seen = Locked<[String?]>([])
        let gate = Locked<Waiter<Void>?>(Waiter())
        let serving = pair.serve { server, id, _ in
            seen.withLock { $0.append(server.priority(of: id)) }
            _ = try await gate.withLock { $0 }!.wait()
            seen.withLock { $0.append(server.priority(of: id)) }
            try await server.startResponse(HTTPResponse(status: .ok), on: id, endStream: true)
        }
        var options = RequestOptions()
        options.priority = Priority(urgency: 5)
        let id = try await pair.client.startRequest(HTTP2RolePair.post, endStream: true, options: options)
        await waitUntil("the handler read the first priority") { seen.withLock { $0.count } == 1 }
        #expect(await pair.client.updatePriority(of: id, to: Priority(urgency: 0, incremental: true)))
        await waitUntil("the update arrived") { pair.server.priority(of: HTTP2StreamID(1)) == "u=0, i" }
        gate.withLock { $0 }!.resume(returning: ())
        #expect(try await pair.client.receiveResponse(on: id).status == .ok)
        #expect(seen.withLock { $0 } == ["u=5", "u=0, i"])
        await pair.client.close()
        try await serving.value
    }

    @Test func dataBeforeTheResponseHeadIsRefused() async throws {
        let pair = try await HTTP2RolePair.start()
        let refusal = Locked<HTTPCoreError?>(nil)
        let serving = pair.serve { server, id, _ in
            do {
                try await server.sendData([1], on: id)
            } catch let error as HTTPCoreError {
                refusal.withLock { $0 = error }
            }
            try await server.startResponse(HTTPResponse(status: .ok), on: id, endStream: true)
            await #expect { try await server.startResponse(HTTPResponse(status: .ok), on: id) } throws: { _ in true }
        }
        #expect(try await pair.client.send(try Request(url: "http://example.com/")).status == .ok)
        #expect(refusal.withLock { $0 }?.code == .invalidRequest)
        // A server does not open streams.
        await #expect { try await pair.server.send(try Request(url: "http://example.com/")) } throws: { ($0 as? HTTPCoreError)?.code == .invalidRequest }
        #expect(pair.server.streamUsage.open == 0)
        await pair.client.close()
        try await serving.value
    }
}
