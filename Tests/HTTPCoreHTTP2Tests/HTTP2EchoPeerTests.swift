import HTTPCore
import HTTPCoreHTTP2
import HTTPCoreTestSupport
import HTTPCoreTLS
import HTTPTypes
import Testing

/// Full duplex and the stream API against a real peer: `Interop/peers/h2_echo_server.py`
/// on hyper's h2 (a third-party HTTP/2 implementation, unlike the mock's `HTTP2TestServer`
/// that shares our nghttp2). It answers at once, echoes each DATA frame as it arrives
/// within our windows, and acknowledges our bytes only once echoed, so flow control is
/// exercised both ways. Over libuv and Dispatch, h2c and TLS (ALPN h2).
///
/// Every wait is raced against the 10 s guard of `guarded`, so a flow-control deadlock
/// fails its test instead of stalling the suite (not a timing assertion).
@Suite(.serialized) struct HTTP2EchoPeerTests {
    static let cases = BackendKind.real.flatMap { kind in [(kind, false), (kind, true)] }

    @Test(arguments: cases)
    func eachChunkIsEchoedBeforeTheNextIsSent(kind: BackendKind, tls: Bool) async throws {
        try await EchoPeer.run(kind, tls: tls) { peer in
            let driven = DrivenBody()
            // `send` returns at the head, before the body has even started.
            let response = try await peer.connection.send(try Request(method: "POST", url: peer.url("/echo"), body: driven.body))
            #expect(response.status == .ok)
            #expect(response.head.headerFields[.contentType] == "application/octet-stream")
            let result = await guarded("the chunk-by-chunk echo") { () async throws -> Int in
                var chunks = response.body.makeAsyncIterator()
                var sent = 0
                for index in 0..<5 {
                    let chunk = Array("chunk \(index);".utf8)
                    driven.continuation.yield(chunk)
                    sent += chunk.count
                    #expect(try await chunks.read(chunk.count) == chunk)
                }
                driven.continuation.finish()
                #expect(try await chunks.next() == nil)
                return sent
            }
            #expect(try result.get() == 40)
            #expect(response.body.trailers?[HTTPField.Name("x-echo-bytes")!] == "40")
        }
    }

    @Test(arguments: cases)
    func sixteenMiBUploadIsEchoedIntactWhileRead(kind: BackendKind, tls: Bool) async throws {
        // Our windows at the protocol's default (64 KiB, not 4 and 16 MiB): the peer's echo
        // waits for our WINDOW_UPDATEs as often as our upload waits for the peer's.
        try await EchoPeer.run(kind, tls: tls) { configuration in
            configuration.streamWindow = 65_535
            configuration.connectionWindow = 65_535
        } body: { peer in
            let chunkCount = 64
            let upload = AsyncStream<[UInt8]> { continuation in
                for index in 0..<chunkCount { continuation.yield(payloadChunk(index, size: 256 << 10)) }
                continuation.finish()
            }
            var sent = Checksum()
            for index in 0..<chunkCount { sent.add(payloadChunk(index, size: 256 << 10)) }
            // The peer acknowledges our bytes only once it has echoed them, and echoes only
            // what our windows admit: the upload can only finish because the response is
            // read while it runs.
            let response = try await peer.connection.send(try Request(method: "POST", url: peer.url("/echo"), body: .stream(upload)))
            let result = await guarded("the 16 MiB echo") { () async throws -> Checksum in
                var echoed = Checksum()
                for try await chunk in response.body { echoed.add(chunk) }
                return echoed
            }
            #expect(try result.get() == sent)
            #expect(response.body.trailers?[HTTPField.Name("x-echo-bytes")!] == String(16 << 20))
        }
    }

    @Test(arguments: cases)
    func aStreamSendsAndReadsInPieces(kind: BackendKind, tls: Bool) async throws {
        try await EchoPeer.run(kind, tls: tls) { peer in
            let connection = peer.connection
            let head = peer.post
            let result = await guarded("the stream exchange") { () async throws -> HTTPFields in
                let stream = try await connection.startRequest(head)
                try await connection.sendData(Array("hello".utf8), on: stream)
                #expect(try await connection.receiveResponse(on: stream).status == .ok)
                // The peer answered before our side ended: "hello" is back while "world" is unsent.
                #expect(try await connection.readStream(stream, maxBytes: 100) == Array("hello".utf8))
                try await connection.sendData(Array("world".utf8), on: stream, endStream: true)
                #expect(try await connection.readStream(stream) == Array("world".utf8))
                return try await connection.receiveTrailers(on: stream)
            }
            #expect(try result.get()[HTTPField.Name("x-echo-bytes")!] == "10")
            let roundTrip = try await connection.waitFunctional()
            #expect(roundTrip >= .zero && roundTrip < .seconds(10))
        }
    }

    @Test(arguments: cases)
    func fiftyConcurrentStreamsOnOneConnection(kind: BackendKind, tls: Bool) async throws {
        try await EchoPeer.run(kind, tls: tls) { peer in
            let connection = peer.connection
            let head = peer.post
            let result = await guarded("50 concurrent echo exchanges") { () async throws -> Int in
                try await withThrowingTaskGroup(of: Int.self) { group in
                    for index in 0..<50 {
                        group.addTask {
                            let stream = try await connection.startRequest(head)
                            let first = Array("stream \(index) ".utf8)
                            let second = Array(repeating: UInt8(index), count: 1000 * index)
                            try await connection.sendData(first, on: stream)
                            #expect(try await connection.receiveResponse(on: stream).status == .ok)
                            try await connection.sendData(second, on: stream)
                            try await connection.sendTrailers([HTTPField.Name("x-stream")!: "\(index)"], on: stream)
                            #expect(try await connection.readStream(stream) == first + second)
                            let trailers = try await connection.receiveTrailers(on: stream)
                            #expect(trailers[HTTPField.Name("x-echo-bytes")!] == String(first.count + second.count))
                            // The request's own trailer comes back with the peer's.
                            #expect(trailers[HTTPField.Name("x-stream")!] == "\(index)")
                            return index
                        }
                    }
                    var finished = Set<Int>()
                    for try await index in group { finished.insert(index) }
                    return finished.count
                }
            }
            let finished = try result.get()
            #expect(finished == 50)
        }
    }
}

/// One `HTTP2Connection` to a fresh echo peer on one backend.
struct EchoPeer {
    let server: H2EchoServer
    let fixture: BackendFixture
    let connection: HTTP2Connection
    let origin: Origin

    /// Runs `body` against a fresh peer, then checks for leftovers and stops the peer and
    /// the backend, also when `body` throws: a failed test must not leave a Python process.
    static func run(
        _ kind: BackendKind,
        tls: Bool,
        configure: (inout HTTP2Connection.Configuration) -> Void = { _ in },
        body: (EchoPeer) async throws -> Void
    ) async throws {
        let peer = try await open(kind, tls: tls, configure: configure)
        do {
            try await body(peer)
        } catch {
            await peer.stop()
            throw error
        }
        await peer.finish()
    }

    private static func open(_ kind: BackendKind, tls: Bool, configure: (inout HTTP2Connection.Configuration) -> Void = { _ in }) async throws -> EchoPeer {
        let server = try await H2EchoServer.start(tls: tls)
        let fixture = kind.makeFixture()
        do {
            let tcp = try await fixture.connect(port: server.port)
            var stream: any NetworkStream = tcp
            // The test PKI's server certificate names localhost, so TLS goes by that name.
            let origin = Origin(scheme: tls ? "https" : "http", host: tls ? "localhost" : "127.0.0.1", port: server.port)
            if tls {
                let context = try TLSContext(.client(trustRoots: [.file(try TestPKI.shared().path("ca.pem"))], applicationProtocols: ["h2"]))
                let secured = try await TLSStream.connect(over: tcp, host: "localhost", port: server.port, context: context, clock: fixture.clock)
                #expect(secured.info.alpn == "h2")
                stream = secured
            }
            var configuration = HTTP2Connection.Configuration()
            configure(&configuration)
            let connection = try await HTTP2Connection.start(over: stream, origin: origin, clock: fixture.clock, configuration: configuration)
            return EchoPeer(server: server, fixture: fixture, connection: connection, origin: origin)
        } catch {
            server.stop()
            await fixture.shutdown()
            throw error
        }
    }

    func url(_ path: String) -> String { "\(origin)\(path)" }

    var post: HTTPRequest {
        HTTPRequest(method: .post, scheme: origin.scheme, authority: origin.authority, path: "/echo")
    }

    /// Checks that the connection kept nothing of the finished exchanges, then stops.
    private func finish() async {
        await guardedWait("every stream is forgotten") { connection.hasNoLeftovers() }
        #expect(connection.trackedStreamCount == 0)
        #expect(connection.uploadCount == 0)
        #expect(connection.streamUsage.open == 0)
        #expect(!connection.isClosed)
        await stop()
    }

    private func stop() async {
        await connection.close()
        server.stop()
        await fixture.shutdown()
    }
}

extension ResponseBody.Iterator {
    /// The next `count` bytes, however the connection split them into chunks (fewer at the end).
    mutating func read(_ count: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < count, let chunk = try await next() { bytes += chunk }
        return bytes
    }
}
