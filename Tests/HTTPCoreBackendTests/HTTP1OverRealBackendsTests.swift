@testable import HTTPCoreDispatch
import HTTPCore
import HTTPCoreHTTP1
@testable import HTTPCoreLibUV
import HTTPTypes
import HTTPCoreTestSupport
import Testing

/// `HTTP1Connection` over the real backends against nginx on 127.0.0.1.
@Suite(.serialized) struct HTTP1OverRealBackendsTests {
    static let conn = HTTPField.Name("X-Conn")!
    static let reqs = HTTPField.Name("X-Reqs")!

    @Test(arguments: BackendKind.real)
    func keepAliveReuseAgainstNginx(kind: BackendKind) async throws {
        let nginx = try await Nginx.start()
        defer { nginx.stop() }
        let fixture = kind.makeFixture()
        let origin = Origin(scheme: "http", host: "127.0.0.1", port: nginx.port)
        let stream = try await fixture.connect(port: nginx.port)
        let connection = HTTP1Connection(stream: stream, origin: origin, clock: fixture.clock)

        let first = try await connection.send(try Request(url: "http://127.0.0.1:\(nginx.port)/"))
        #expect(first.status == .ok)
        #expect(try await first.body.collect(upTo: 1024) == Array("hello from nginx\n".utf8))
        #expect(connection.isAvailable)

        let chunks = AsyncStream<[UInt8]> { continuation in
            for index in 0..<64 { continuation.yield(payloadChunk(index, size: 256 * 1024)) }
            continuation.finish()
        }
        let upload = try await connection.send(try Request(method: "POST", url: "http://127.0.0.1:\(nginx.port)/upload", body: .stream(chunks, length: 16 << 20)))
        #expect(try await upload.body.collect(upTo: 1024) == Array("got \(16 << 20)\n".utf8))

        let download = try await connection.send(try Request(url: "http://127.0.0.1:\(nginx.port)/file.bin"))
        var received = Checksum()
        for try await chunk in download.body { received.add(chunk) }
        var expected = Checksum()
        expected.add(nginx.file)
        #expect(received == expected)

        // Every response came over the same server-side connection, numbered 1, 2, 3.
        #expect(first.head.headerFields[Self.reqs] == "1")
        #expect(upload.head.headerFields[Self.reqs] == "2")
        #expect(first.head.headerFields[Self.conn] == upload.head.headerFields[Self.conn])
        #expect(first.head.headerFields[Self.conn] == download.head.headerFields[Self.conn])
        #expect(connection.requestCount == 3)
        #expect(connection.isIdle)
        await connection.close()
        await fixture.shutdown()
    }

    /// With the stream's executor as task preference, a whole exchange (write, wait for
    /// the head, read the body) stays on the loop thread: no job arrives from elsewhere.
    @Test(arguments: BackendKind.real)
    func pinnedExchangeMakesNoOffLoopHops(kind: BackendKind) async throws {
        let nginx = try await Nginx.start()
        defer { nginx.stop() }
        let fixture = kind.makeFixture()
        let stream = try await fixture.connect(port: nginx.port)
        let connection = HTTP1Connection(stream: stream, origin: Origin(scheme: "http", host: "127.0.0.1", port: nginx.port), clock: fixture.clock)
        let executor = try #require(stream.preferredTaskExecutor)
        let (onLoop, remote): (() -> Bool, () -> Int) = switch stream {
        case let stream as LibUVStream: ({ stream.core.loop.isOnLoop }, { stream.core.loop.remoteEnqueues.value })
        case let stream as DispatchStream: ({ stream.core.loop.isOnLoop }, { stream.core.loop.remoteEnqueues.value })
        default: ({ false }, { -1 })
        }
        let request = try Request(url: "http://127.0.0.1:\(nginx.port)/")
        let (hops, stayedOnLoop) = try await withTaskExecutorPreference(executor) {
            var stayed = onLoop()
            let before = remote()
            for _ in 0..<20 {
                let response = try await connection.send(request)
                stayed = stayed && onLoop()
                _ = try await response.body.collect(upTo: 1024)
                stayed = stayed && onLoop()
            }
            return (remote() - before, stayed)
        }
        #expect(stayedOnLoop)
        #expect(hops == 0, "\(hops) jobs hopped onto the loop from other threads during 20 exchanges")

        // The control: without the preference, the same exchanges do hop, so the counter works.
        let before = remote()
        for _ in 0..<5 { _ = try await connection.send(request).body.collect(upTo: 1024) }
        #expect(remote() - before >= 5)
        await connection.close()
        await fixture.shutdown()
    }
}
