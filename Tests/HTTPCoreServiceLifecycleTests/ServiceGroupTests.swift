import HTTPCore
import HTTPCoreClient
import HTTPCoreLibUV
import HTTPCoreServer
import HTTPCoreServiceLifecycle
import HTTPCoreTestSupport
import Logging
import ServiceLifecycle
import Testing

/// `HTTPServer` and `HTTPClient` in a `ServiceGroup`, in this process, over loopback: the
/// graceful path (the request in flight completes, new connections are refused, nothing
/// is left), the client's wait for its requests, and cancellation as immediate shutdown.
@Suite struct ServiceGroupTests {
    static let logger = Logger(label: "httpcore.tests.lifecycle") { _ in SwiftLogNoOpLogHandler() }

    /// A server on a libuv backend of its own, with the slow exchange's handler.
    struct Fixture {
        let backend = LibUVBackend()
        let exchange = SlowExchange()
        let server: HTTPServer
        let port: Int
        /// Probes that connected: the listener may take one or two before it closes.
        let probesConnected = Locked(0)
        var url: String { "http://127.0.0.1:\(port)/slow" }

        init() async throws {
            server = try await HTTPServer.start(backend: backend, handler: exchange.handler)
            guard case .inet(_, let port) = server.localAddress else { throw HarnessError("not on TCP") }
            self.port = port
        }

        /// A fresh TCP connection to the server's port: its error once it is refused.
        func connectError() async -> HTTPCoreError? {
            do {
                let stream = try await backend.connectTCP(host: "127.0.0.1", port: port, options: ConnectOptions())
                probesConnected.withLock { $0 += 1 }
                await stream.close(.abortive)
                return nil
            } catch {
                return error as? HTTPCoreError
            }
        }

        /// Polls (10 ms apart, bounded) until a new connection is refused.
        func refusedConnection() async throws -> HTTPCoreError? {
            for _ in 0..<500 {
                if let error = await connectError() { return error }
                try await Task.sleep(for: .milliseconds(10))
            }
            return nil
        }
    }

    /// `task`'s value, or a failure once `bound` passes first (the task is cancelled).
    static func value<T: Sendable>(of task: Task<T, any Error>, within bound: Duration) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await task.value }
            group.addTask {
                try await Task.sleep(for: TestTiming.guardTime(bound))
                return nil
            }
            defer { group.cancelAll() }
            guard let value = try await group.next() ?? nil else {
                task.cancel()
                throw HarnessError("not done within \(bound)")
            }
            return value
        }
    }

    @Test func gracefulShutdownLetsTheRequestInFlightFinishAndRefusesNewConnections() async throws {
        let fixture = try await Fixture()
        let client = try HTTPClient()
        // The client first: the group stops services in reverse order, so the server
        // drains while the client still reads.
        let group = ServiceGroup(services: [client, fixture.server], logger: Self.logger)
        let running = Task { try await group.run() }
        let (response, firstBytes) = SlowExchange.send(fixture.url, with: client)
        for await _ in firstBytes { break }

        await group.triggerGracefulShutdown()
        let refused = try await fixture.refusedConnection()
        #expect(refused?.code == .connectRefused, "\(String(describing: refused))")
        #expect(fixture.server.connectionCount == 1, "the connection in flight stays")

        fixture.exchange.gate.resume(returning: ())
        let (status, body) = try await response.value
        #expect(status == 200)
        #expect(body == SlowExchange.body)

        try await Self.value(of: running, within: .seconds(10))
        #expect(fixture.server.connectionCount == 0)
        #expect(fixture.server.requestsServed == 1)
        // The connection in flight ended by the shutdown. A probe may connect in the
        // kernel's backlog before the listener closes; the server ends it (as its client
        // left it) only if it had accepted it first.
        var ended = fixture.server.statistics.connectionsEnded
        #expect(ended.removeValue(forKey: .shutdown) == 1)
        #expect(ended.values.reduce(0, +) <= fixture.probesConnected.withLock { $0 }, "\(ended)")
        #expect(fixture.server.statistics.requestsFailed.isEmpty && fixture.server.statistics.handlerErrors == 0)
        #expect(client.connections.isEmpty)
        await #expect { _ = try await client.get(fixture.url) } throws: { ($0 as? HTTPCoreError)?.code == .connectionUnavailable }
        await fixture.backend.shutdown()
    }

    @Test func theClientWaitsForItsRequestInFlightBeforeShuttingDown() async throws {
        let fixture = try await Fixture()
        let client = try HTTPClient()
        let group = ServiceGroup(services: [client], logger: Self.logger)
        let returned = Locked(false)
        let running = Task {
            try await group.run()
            returned.withLock { $0 = true }
        }
        let (response, firstBytes) = SlowExchange.send(fixture.url, with: client)
        for await _ in firstBytes { break }

        await group.triggerGracefulShutdown()
        try await Task.sleep(for: .milliseconds(100))
        #expect(!returned.value, "the client waits for the request in flight")
        #expect(client.snapshot?.activeRequests == 1, "the pool is still up, the request still holds its connection")

        fixture.exchange.gate.resume(returning: ())
        let (status, body) = try await response.value
        #expect(status == 200)
        #expect(body == SlowExchange.body)
        try await Self.value(of: running, within: .seconds(10))
        #expect(returned.value)
        #expect(client.connections.isEmpty)
        await #expect { _ = try await client.get(fixture.url) } throws: { ($0 as? HTTPCoreError)?.code == .connectionUnavailable }
        await waitUntil("the server saw the client go") { fixture.server.connectionCount == 0 }
        await fixture.server.shutdown()
        await fixture.backend.shutdown()
    }

    @Test func cancellingTheGroupShutsBothDownAtOnce() async throws {
        let fixture = try await Fixture()
        let client = try HTTPClient()
        let group = ServiceGroup(services: [client, fixture.server], logger: Self.logger)
        let running = Task { try await group.run() }
        let (response, firstBytes) = SlowExchange.send(fixture.url, with: client)
        for await _ in firstBytes { break }

        let start = ContinuousClock.now
        running.cancel()
        _ = try? await Self.value(of: running, within: .seconds(5))
        // Well under the server's 10 s grace: the grace period was skipped.
        #expect(ContinuousClock.now - start < .seconds(5))
        await #expect(throws: (any Error).self) { _ = try await response.value }
        let refused = await fixture.connectError()
        #expect(refused?.code == .connectRefused, "\(String(describing: refused))")
        #expect(client.connections.isEmpty)
        // The connection is closed; its handler, parked on the gate rather than on the
        // connection, notices when it next writes, and then the connection is counted.
        fixture.exchange.gate.resume(returning: ())
        await waitUntil("the handler let go") { fixture.server.connectionCount == 0 }
        #expect(fixture.server.statistics.connectionsEnded.values.reduce(0, +) == 1, "\(fixture.server.statistics)")
        #expect(fixture.server.statistics.requestsFailed.values.reduce(0, +) == 1, "\(fixture.server.statistics)")
        await fixture.backend.shutdown()
    }
}
