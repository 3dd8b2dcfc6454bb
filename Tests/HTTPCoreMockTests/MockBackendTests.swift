import HTTPCore
import HTTPCoreMock
import Testing

@Suite struct MockBackendTests {
    @Test func recordsEveryConnectWithItsOptions() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(host: "example.com", port: 443, script: [.read("hi")])
        backend.expectConnect(.refuse)
        let options = ConnectOptions(timeout: .seconds(3), localAddress: "127.0.0.2", socketOptions: [.noDelay, .keepAlive])
        let stream = try await backend.connectTCP(host: "example.com", port: 443, options: options)
        #expect(try await stream.read(maxBytes: 10) == Array("hi".utf8))
        let error = await #expect(throws: HTTPCoreError.self) {
            try await backend.connectUnixSocket(path: "/tmp/x.sock", options: ConnectOptions())
        }
        #expect(error?.code == .connectRefused)
        #expect(error?.category == .network(.connect))
        #expect(backend.connectRecords.count == 2)
        #expect(backend.connectRecords[0].host == "example.com")
        #expect(backend.connectRecords[0].port == 443)
        #expect(backend.connectRecords[0].options == options)
        #expect(backend.connectRecords[1].unixPath == "/tmp/x.sock")
    }

    @Test func unscriptedConnectIsRefused() async throws {
        let backend = MockNetworkBackend()
        let error = await #expect(throws: HTTPCoreError.self) {
            try await backend.connectTCP(host: "nowhere", port: 80, options: ConnectOptions())
        }
        #expect(error?.detail.contains("nothing scripted") == true)
    }

    @Test func scriptedConnectFailure() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(.fail(.hostNotFound))
        let error = await #expect(throws: HTTPCoreError.self) {
            try await backend.connectTCP(host: "nowhere", port: 80, options: ConnectOptions())
        }
        #expect(error?.code == .hostNotFound)
    }

    @Test func hangingConnectTimesOutOnTheManualClock() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(.hang)
        let connect = Task { try await backend.connectTCP(host: "slow", port: 80, options: ConnectOptions(timeout: .seconds(5))) }
        try await backend.manualClock.waitForTimers(1)
        backend.manualClock.advance(by: .seconds(5))
        let error = await #expect(throws: HTTPCoreError.self) { try await connect.value }
        #expect(error?.code == .connectTimeout)
        #expect(error?.category == .timeout(.connect))
    }

    @Test func hangingConnectIsCancellable() async throws {
        let backend = MockNetworkBackend()
        backend.expectConnect(.hang)
        let connect = Task { try await backend.connectTCP(host: "slow", port: 80, options: ConnectOptions(timeout: .seconds(5))) }
        try await backend.manualClock.waitForTimers(1)
        connect.cancel()
        let error = await #expect(throws: HTTPCoreError.self) { try await connect.value }
        #expect(error?.code == .cancelled)
        #expect(backend.manualClock.pendingTimers == 0)
    }

    @Test func listenerAcceptsConnectsThroughAnInMemoryPair() async throws {
        let backend = MockNetworkBackend()
        let listener = try await backend.listenTCP(host: "127.0.0.1", port: 8080, options: ListenOptions())
        let client = try await backend.connectTCP(host: "127.0.0.1", port: 8080, options: ConnectOptions())
        let server = try #require(try await listener.accept())
        try await client.write(Array("hello".utf8))
        #expect(try await server.read(maxBytes: 100) == Array("hello".utf8))
        try await server.write(Array("world".utf8))
        #expect(try await client.read(maxBytes: 100) == Array("world".utf8))
        await listener.close()
        #expect(try await listener.accept() == nil)
        await #expect(throws: HTTPCoreError.self) {
            try await backend.connectTCP(host: "127.0.0.1", port: 8080, options: ConnectOptions())
        }
    }
}
