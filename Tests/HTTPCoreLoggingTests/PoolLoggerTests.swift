import HTTPCore
import HTTPCoreHTTP2
import HTTPCoreLogging
import HTTPCoreMock
import HTTPCorePool
import HTTPCoreTestSupport
import Logging
import Testing

/// `PoolLogger` over the mock backend with an h2c origin: connection life at debug,
/// requests and every frame at trace, each with the connection's id.
@Suite struct PoolLoggerTests {
    @Test func connectionLifeAtDebugFramesAtTraceEachWithTheConnectionID() async throws {
        let backend = MockNetworkBackend()
        let listener = try await backend.listenTCP(host: "example.com", port: 80, options: ListenOptions())
        let accepting = Task {
            while let stream = try? await listener.accept() {
                guard let server = try? HTTP2TestServer(stream: stream) else { return }
                Task { await server.run() }
            }
        }
        defer { accepting.cancel() }
        let records = Locked<[LogRecord]>([])
        let poolLogger = PoolLogger(logger: CollectingLogHandler.logger(records))
        var configuration = ConnectionPool.Configuration()
        configuration.http1 = false
        configuration.http2 = true
        configuration.frameObserver = poolLogger.frameObserver
        let pool = try ConnectionPool(backend: backend, configuration: configuration)
        let events = pool.events()
        let logging = Task { await poolLogger.run(events) }
        let response = try await pool.send(try Request(url: "http://example.com/hello"))
        #expect(try await response.body.collect(upTo: 100) == Array("hello".utf8))
        await pool.shutdown()
        await logging.value

        let all = records.withLock { $0 }
        let debug = all.filter { $0.level == .debug }.map(\.message)
        #expect(debug == ["connection opening", "connection open", "connection closed"], "\(all.map(\.text))")
        #expect(all.first { $0.message == "connection open" }?["version"] == "HTTP/2")
        let id = try #require(all.first?["connection-id"])
        #expect(all.allSatisfy { $0["connection-id"] == nil || $0["connection-id"] == id })
        let frames = all.filter { $0.message == "frame" }
        #expect(frames.allSatisfy { $0.level == .trace && $0["connection-id"] == id })
        let described = frames.compactMap { $0["frame"] }
        for expected in ["SETTINGS received, max concurrent streams 100", "HEADERS received on 1", "DATA received on 1, 5 bytes", "END_STREAM received on 1", "END_STREAM sent on 1"] {
            #expect(described.contains(expected), "missing \(expected) in \(described)")
        }
        #expect(all.contains { $0.level == .trace && $0.message == "request assigned" && $0["connection-id"] == id })
    }
}
