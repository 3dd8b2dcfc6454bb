import HTTPCore
import HTTPCoreDispatch
import HTTPCoreLibUV
import HTTPCoreTestSupport
import Testing

/// Cases that only make sense with real sockets and a real resolver.
@Suite(.serialized) struct RealBackendTests {
    /// A name goes through the system resolver (uv_getaddrinfo / getaddrinfo) and the
    /// race. (On this machine "localhost" resolves to 127.0.0.1 only, so the fallback
    /// between families is covered by `HappyEyeballsTests`, which drive the planner.)
    @Test(arguments: BackendKind.real)
    func resolvesNamesThroughTheSystemResolver(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let (listener, port) = try await fixture.listen()
        let stream = try await fixture.backend.connectTCP(host: "localhost", port: port, options: ConnectOptions(timeout: .seconds(5)))
        let server = try #require(try await listener.accept())
        if case .inet(let host, _)? = stream.info.remoteAddress { #expect(host == "127.0.0.1") }
        await stream.close()
        await server.close()
        await listener.close()
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.real)
    func echoOverIPv6Loopback(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let listener = try await fixture.backend.listenTCP(host: "::1", port: 0, options: ListenOptions())
        guard case .inet(_, let port) = listener.localAddress else { throw HTTPCoreError(.connectFailed, "no port") }
        let server = startEchoServer(listener)
        let stream = try await fixture.backend.connectTCP(host: "::1", port: port, options: ConnectOptions())
        try await stream.write(Array("six".utf8))
        #expect(try await readExactly(3, from: stream) == Array("six".utf8))
        if case .inet(let host, _)? = stream.info.remoteAddress { #expect(host == "::1") }
        await stream.close()
        await listener.close()
        server.cancel()
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.real)
    func unknownHostIsHostNotFound(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let error = await #expect(throws: HTTPCoreError.self) {
            try await fixture.backend.connectTCP(host: "no-such-host.invalid", port: 80, options: ConnectOptions(timeout: .seconds(5)))
        }
        #expect(error?.code == .hostNotFound)
        #expect(error?.isSafeToRetry == true)
        await fixture.shutdown()
    }

    @Test(arguments: BackendKind.allCases)
    func acceptedStreamsAsAnAsyncSequence(kind: BackendKind) async throws {
        let fixture = kind.makeFixture()
        let (listener, port) = try await fixture.listen()
        let clients = try await (0..<3).asyncMap { _ in try await fixture.connect(port: port) }
        var accepted = 0
        for try await stream in listener.connections {
            accepted += 1
            await stream.close()
            if accepted == 3 { break }
        }
        #expect(accepted == 3)
        for client in clients { await client.close() }
        await listener.close()
        await fixture.shutdown()
    }

    /// Shutdown closes every handle, resumes whoever waits on one, and joins the loops.
    @Test func libuvShutdownResumesPendingReads() async throws {
        let backend = LibUVBackend(loopCount: 2)
        // The peer lives on another backend, so the shutdown cannot end the read with its EOF.
        let listener = try await DispatchBackend().listenTCP(host: "127.0.0.1", port: 0, options: ListenOptions())
        guard case .inet(_, let port) = listener.localAddress else { return }
        let stream = try await backend.connectTCP(host: "127.0.0.1", port: port, options: ConnectOptions())
        let read = Task { try await stream.read(maxBytes: 10) }
        try await Task.sleep(for: .milliseconds(20))
        await backend.shutdown()
        let error = await #expect(throws: HTTPCoreError.self) { _ = try await read.value }
        #expect(error?.code == .connectionClosed)
        // Whatever hops to a stopped loop still completes instead of waiting forever.
        await stream.close()
        let late = await #expect(throws: HTTPCoreError.self) { try await stream.write([1]) }
        #expect(late?.code == .connectionClosed)
        let refused = await #expect(throws: HTTPCoreError.self) {
            try await backend.connectTCP(host: "127.0.0.1", port: port, options: ConnectOptions())
        }
        #expect(refused?.code == .connectionClosed)
        await backend.shutdown()  // a second call is harmless
        await listener.close()
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
