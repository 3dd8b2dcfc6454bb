import Foundation
import HTTPCore
import HTTPCorePool
import HTTPCoreTestSupport
import Testing

/// The cancellation contract under load: 10,000 requests, 20% of them cancelled at a
/// random moment (queued, connecting, handshaking, sending, awaiting the head, reading
/// the body). Afterwards nothing is held: no active or queued request, only idle
/// connections, and (on real sockets) once the pool shuts down, no file descriptor of
/// this process is a socket to the server any more.
@Suite(.serialized) struct PoolCancellationStressTests {
    struct Outcome {
        var completed = 0
        var cancelled = 0
        var unexpected: [String] = []
    }

    /// How a request's cancellation is timed: after some yields (mock) or some
    /// microseconds (real sockets).
    enum Delay: Sendable {
        case yields(Int)
        case microseconds(Int)

        func wait(_ random: inout SplitMix) async {
            switch self {
            case .yields(let most):
                for _ in 0..<Int(random.next() % UInt64(most + 1)) { await Task.yield() }
            case .microseconds(let most):
                try? await Task.sleep(for: .microseconds(Int(random.next() % UInt64(most + 1))))
            }
        }
    }

    /// Sends `total` requests, `concurrency` at a time, alternating over `urls` (each with
    /// its expected body length); cancels a fifth of them after a random delay.
    static func run(
        _ pool: ConnectionPool, urls: [(url: String, length: Int)], total: Int = 10_000, concurrency: Int = 64,
        delay: Delay, seed: UInt64
    ) async -> Outcome {
        var random = SplitMix(seed: seed)
        var outcome = Outcome()
        await withTaskGroup(of: Result<Void, any Error>?.self) { group in
            for index in 0..<total {
                if index >= concurrency, let result = await group.next() { tally(result, into: &outcome) }
                let target = urls[index % urls.count]
                let cancelAfter: Delay? = random.next() % 5 == 0 ? delay : nil
                var taskRandom = SplitMix(seed: random.next())
                group.addTask {
                    let request = Task {
                        let response = try await pool.send(try Request(url: target.url))
                        let body = try await response.body.collect(upTo: 1 << 20)
                        guard response.head.status.code == 200, body.count == target.length else {
                            throw HTTPCoreError(.malformedResponse, "status \(response.head.status.code), \(body.count) bytes from \(target.url) over \(response.version)")
                        }
                    }
                    if let cancelAfter {
                        await cancelAfter.wait(&taskRandom)
                        request.cancel()
                    }
                    return await request.result.map { _ in () }.mapError { $0 as any Error }
                }
            }
            for await result in group { tally(result, into: &outcome) }
        }
        return outcome
    }

    private static func tally(_ result: Result<Void, any Error>?, into outcome: inout Outcome) {
        switch result {
        case .success?: outcome.completed += 1
        case .failure(let error)?:
            if (error as? HTTPCoreError)?.code == .cancelled || error is CancellationError {
                outcome.cancelled += 1
            } else {
                outcome.unexpected.append("\(error)")
            }
        case nil: break
        }
    }

    /// Nothing held once every request has ended: no request active or queued, every
    /// connection idle.
    static func expectNothingHeld(_ pool: ConnectionPool, sourceLocation: SourceLocation = #_sourceLocation) async {
        await waitUntil("every request let go", sourceLocation: sourceLocation) {
            let snapshot = pool.snapshot
            return snapshot.activeRequests == 0 && snapshot.queuedRequests == 0
                && snapshot.connections.allSatisfy { $0.state == .idle }
        }
        let snapshot = pool.snapshot
        #expect(snapshot.activeRequests == 0 && snapshot.queuedRequests == 0, sourceLocation: sourceLocation)
        #expect(snapshot.connections.allSatisfy { $0.state == .idle }, "\(snapshot.connections)", sourceLocation: sourceLocation)
    }

    static func expect(_ outcome: Outcome, _ label: String, total: Int = 10_000, sourceLocation: SourceLocation = #_sourceLocation) {
        print("pool stress, \(label): \(outcome.completed) completed, \(outcome.cancelled) cancelled, \(outcome.unexpected.count) other failures")
        #expect(outcome.unexpected.isEmpty, "\(outcome.unexpected.prefix(5))", sourceLocation: sourceLocation)
        #expect(outcome.completed + outcome.cancelled == total, sourceLocation: sourceLocation)
        // About a fifth were cancelled; some of those finished first and count as completed.
        #expect(outcome.cancelled > total / 20, "only \(outcome.cancelled) cancelled", sourceLocation: sourceLocation)
        #expect(outcome.completed >= total * 3 / 4, sourceLocation: sourceLocation)
    }

    /// This process's file descriptors that are TCP sockets to one of `ports` on loopback
    /// (127.0.0.1 or ::1). (Counting every descriptor would not do: the other suites run at
    /// the same time.)
    static func socketsTo(ports: Set<Int>) -> Int { sockets(to: ports).count }

    /// Those sockets' /proc/net/tcp lines (state, addresses), to say what was left.
    static func sockets(to ports: Set<Int>) -> [String] {
        let loopback: Set<Substring> = ["0100007F", "00000000000000000000000001000000"]
        var lines: [String: String] = [:]
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: table, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let columns = line.split(separator: " ")
                // rem_address is "HEXADDR:HEXPORT"; the inode is the tenth column.
                guard columns.count > 9 else { continue }
                let remote = columns[2].split(separator: ":")
                guard remote.count == 2, loopback.contains(remote[0]), let port = Int(remote[1], radix: 16), ports.contains(port) else { continue }
                lines[String(columns[9])] = String(line)
            }
        }
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.compactMap { fd in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)"),
                  target.hasPrefix("socket:[") else { return nil }
            return lines[String(target.dropFirst(8).dropLast())].map { "fd \(fd): \($0)" }
        }
    }

    // MARK: - Over the mock

    @Test func http1OverTheMock() async throws {
        let origin = try await MockHTTP1Origin()
        defer { origin.stop() }
        var configuration = ConnectionPool.Configuration()
        configuration.maxConnections = 16
        let pool = try ConnectionPool(backend: origin.backend, configuration: configuration)
        let urls = [("http://example.com/", 5), ("http://example.com/big", MockHTTP1Origin.bigSize)]
        let outcome = await Self.run(pool, urls: urls, delay: .yields(40), seed: 1)
        Self.expect(outcome, "HTTP/1.1 over the mock")
        await Self.expectNothingHeld(pool)
        #expect(pool.snapshot.connections.count <= 16)
        await pool.shutdown()
        #expect(pool.snapshot.origins.isEmpty)
    }

    @Test func http2OverTheMock() async throws {
        let origin = try await MockHTTP2Origin(maxConcurrentStreams: 32)
        defer { origin.stop() }
        var configuration = MockHTTP2Origin.h2c
        configuration.maxHTTP2ConnectionsPerOrigin = 2
        let pool = try ConnectionPool(backend: origin.backend, configuration: configuration)
        let urls = [("http://example.com/hello", 5), ("http://example.com/bytes/65536", 65536)]
        let outcome = await Self.run(pool, urls: urls, delay: .yields(8), seed: 2)
        Self.expect(outcome, "HTTP/2 over the mock")
        await Self.expectNothingHeld(pool)
        #expect(pool.snapshot.connections.count <= 2)
        // The servers hold no stream open either.
        await waitUntil("the servers' streams all ended") {
            origin.connections.allSatisfy { $0.requestCount + $0.resetsReceived.count >= $0.requestHeads.count }
        }
        await pool.shutdown()
    }

    // MARK: - Real sockets

    @Test(arguments: [BackendKind.libuv, .dispatch])
    func againstNginxOverLoopback(_ kind: BackendKind) async throws {
        let nginx = try await Nginx.start(tls: true, fileSize: 64 << 10)
        defer { nginx.stop() }
        var configuration = ConnectionPool.Configuration()
        configuration.tls = .client(trustRoots: [.file(try TestPKI.shared().path("ca.pem"))])
        configuration.http2 = true
        configuration.maxConnections = 16
        configuration.maxKeepaliveConnections = 16
        let ports: Set<Int> = [nginx.port, nginx.tlsPort!]
        #expect(Self.socketsTo(ports: ports) == 0)
        let fixture = kind.makeFixture()
        let pool = try ConnectionPool(backend: fixture.backend, configuration: configuration)
        // HTTP/1.1 in clear text and HTTP/2 over TLS, interleaved; cancellations land
        // while connecting and handshaking too (the pool starts cold).
        let urls = [
            ("http://127.0.0.1:\(nginx.port)/", 17),
            ("https://localhost:\(nginx.tlsPort!)/", 17),
            ("http://127.0.0.1:\(nginx.port)/file.bin", 64 << 10),
            ("https://localhost:\(nginx.tlsPort!)/file.bin", 64 << 10),
        ]
        let outcome = await Self.run(pool, urls: urls, delay: .microseconds(2_000), seed: 3)
        Self.expect(outcome, "nginx over \(kind)")
        await Self.expectNothingHeld(pool)
        let snapshot = pool.snapshot
        #expect(snapshot.connections.filter { $0.version == .http2 }.count <= configuration.maxHTTP2ConnectionsPerOrigin)
        #expect(snapshot.connections.count <= 16)
        // Every socket still open is one of the pool's idle connections.
        await waitUntil("the sockets match the idle connections") { Self.socketsTo(ports: ports) == pool.snapshot.connections.count }
        await pool.shutdown()
        await fixture.shutdown()
        await waitUntil("every socket to nginx is closed") { Self.socketsTo(ports: ports) == 0 }
        let left = Self.sockets(to: ports)
        #expect(left.isEmpty, "\(left)")
    }
}
