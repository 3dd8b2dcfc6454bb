import HTTPCore
import HTTPCoreHTTP1
import HTTPTypes
import HTTPCoreTestSupport
import Testing

/// Full duplex over real sockets on 127.0.0.1: a peer that echoes the request body as it
/// arrives, driven chunk by chunk. Before full duplex `send` returned only after the whole
/// body was written, so this test could not get past its first chunk.
@Suite struct HTTP1DuplexOverRealBackendsTests {
    @Test(arguments: BackendKind.real)
    func echoPeerChunkByChunk(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let (listener, port) = try await fixture.listen()
        let peer = Task {
            guard let stream = try await listener.accept() else { return 0 }
            return try await serveChunkedEcho(stream)
        }
        let stream = try await fixture.connect(port: port)
        let connection = HTTP1Connection(stream: stream, origin: Origin(scheme: "http", host: "127.0.0.1", port: port), clock: fixture.clock)
        let body = TrackedBody()
        let response = try await connection.send(try Request(method: "POST", url: "http://127.0.0.1:\(port)/echo", body: .stream(body)))
        #expect(response.status == .ok)
        var reader = response.body.makeAsyncIterator()
        let size = 256 * 1024
        for index in 0..<8 {
            let chunk = payloadChunk(index, size: size)
            body.send(chunk)
            var echoed: [UInt8] = []
            while echoed.count < size, let part = try await reader.next() { echoed += part }
            #expect(echoed == chunk, "chunk \(index) came back whole before the next was yielded")
        }
        body.finish()
        #expect(try await reader.next() == nil)
        #expect(connection.isIdle)
        #expect(try await peer.value == 8 * ("40000\r\n".utf8.count + size + 2) + 5)
        await connection.close()
        await listener.close()
        await fixture.shutdown()
    }
}
