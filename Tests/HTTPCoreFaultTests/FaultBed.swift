import Foundation
import HTTPCore
import HTTPCorePool
import HTTPCoreTestSupport
import Testing

/// HTTP/1.1, or HTTP/2 by prior knowledge (h2c): what the pool speaks to the fault peer.
enum Wire: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case http1, http2
    var testDescription: String { rawValue }
}

/// One client-side fault test's world: a namespace with the fault peer inside, a backend,
/// and a pool over it. `run` builds it, hands it to the test and takes it all down again,
/// whether the test passed, failed or threw.
struct FaultBed {
    let namespace: NetworkNamespace
    let peer: FaultPeer
    let fixture: BackendFixture
    let pool: ConnectionPool
    let wire: Wire

    static func run(_ backend: BackendKind, _ wire: Wire, _ body: (FaultBed) async throws -> Void) async throws {
        try await gate.inside {
            let namespace = try await NetworkNamespace.create()
            try await withTeardown {
                let peer = try await FaultPeer.start(in: namespace)
                try await withTeardown {
                    try await run(backend, wire, namespace, peer, body)
                } teardown: {
                    await peer.stop()
                }
            } teardown: {
                await namespace.destroy()
            }
        }
    }

    /// At most this many beds at once (see `BedGate`).
    private static let gate = BedGate(width: 4)

    private static func run(_ backend: BackendKind, _ wire: Wire, _ namespace: NetworkNamespace, _ peer: FaultPeer, _ body: (FaultBed) async throws -> Void) async throws {
        let fixture = backend.makeFixture()
        var configuration = ConnectionPool.Configuration()
        configuration.connectTimeout = .seconds(5)
        if wire == .http2 {
            configuration.http1 = false
            configuration.http2 = true
            // After a stream's read or write timeout the connection PINGs the peer and
            // ends without an answer within this (10 s by default; 1 s keeps the cases short).
            configuration.http2Connection.keepAliveTimeout = .seconds(1)
            configuration.http2Connection.functionalTimeout = .seconds(1)
        }
        let pool = try ConnectionPool(backend: fixture.backend, configuration: configuration)
        let bed = FaultBed(namespace: namespace, peer: peer, fixture: fixture, pool: pool, wire: wire)
        try await withTeardown {
            try await withTeardown { try await body(bed) } teardown: { await pool.shutdown() }
            // Every socket to the namespace is closed once the pool has shut down.
            try await eventually("no socket to the namespace is left open after shutdown") { namespace.openSockets() == 0 }
        } teardown: {
            await fixture.shutdown()
        }
    }

    /// A request to the peer with the timeouts given and 30 s for the rest: a failure at
    /// about 1 s can then only come from the timeout under test.
    func request(_ path: String, method: String = "GET", body: RequestBody = .empty, read: Duration = .seconds(30), write: Duration = .seconds(30), total: Duration? = nil) throws -> Request {
        var options = RequestOptions()
        options.timeouts = Timeouts(connect: .seconds(5), read: read, write: write, pool: .seconds(5), total: total)
        return try Request(method: method, url: peer.url(path), body: body, options: options)
    }

    /// Ids of the connections serving a request right now.
    var activeConnections: Set<Int> {
        Set(pool.snapshot.connections.filter { $0.requestsInUse > 0 }.map(\.id))
    }

    /// After a fault: no request holds a connection or waits for one, `broken` is gone
    /// from the pool (unless `mayStay`: an HTTP/2 stream that timed out on a healthy
    /// connection), and this process holds no socket to the namespace beyond the
    /// connections the pool still keeps (its descriptors were closed, not leaked).
    func expectLetGo(of broken: Set<Int>, mayStay: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var seen = ""
        // 3 s: short of the pool's 5 s keep-alive expiry, which would close what is idle.
        let letGo = try await eventually(timeout: .seconds(3)) {
            let snapshot = pool.snapshot
            let sockets = namespace.openSockets()
            seen = "\(snapshot.connections.map { "\($0.id): \($0.state), \($0.requestsInUse) in use" }), \(snapshot.queuedRequests) queued, \(sockets) sockets open"
            return snapshot.activeRequests == 0 && snapshot.queuedRequests == 0
                && snapshot.connections.allSatisfy { (mayStay || !broken.contains($0.id)) && $0.requestsInUse == 0 }
                && sockets == snapshot.connections.count
        }
        if !letGo {
            Issue.record("the pool kept the failed request or connection \(broken): last seen \(seen)", sourceLocation: sourceLocation)
        }
    }

    /// The next request succeeds on a connection that is not one of `broken` (or, with
    /// `reuseAllowed`, on any), and returns its id.
    @discardableResult
    func expectNextRequestOnFreshConnection(avoiding broken: Set<Int>, reuseAllowed: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Int? {
        let response = try await pool.send(request("/body?size=1000", read: .seconds(5)))
        let serving = activeConnections
        let bytes = try await response.body.collect(upTo: 1 << 20)
        #expect(response.status == .ok, sourceLocation: sourceLocation)
        #expect(bytes.count == 1000, sourceLocation: sourceLocation)
        #expect(serving.count == 1 && (reuseAllowed || serving.isDisjoint(with: broken)), "served by \(serving), the failed connection was \(broken)", sourceLocation: sourceLocation)
        return serving.first
    }
}

/// A response body read chunk by chunk, remembering when the last chunk came (a read
/// timeout counts from there).
struct BodyReader {
    private var iterator: ResponseBody.Iterator
    private(set) var received = 0
    private(set) var lastChunkAt = ContinuousClock.now

    init(_ response: Response) { iterator = response.body.makeAsyncIterator() }

    /// Reads until at least `count` bytes have come (throws if the body ends first).
    mutating func read(atLeast count: Int) async throws {
        while received < count {
            guard let chunk = try await iterator.next() else { throw HarnessError("the body ended after \(received) bytes") }
            received += chunk.count
            lastChunkAt = .now
        }
    }

    /// Reads to the end; returns the error that ended it (nil if it ended normally).
    mutating func readToFailure() async -> (any Error)? {
        do {
            while let chunk = try await iterator.next() {
                received += chunk.count
                lastChunkAt = .now
            }
            return nil
        } catch {
            return error
        }
    }
}

/// Polls `condition` every 10 ms for at most `timeout`; whether it came to hold.
func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try await Task.sleep(for: .milliseconds(10))
    }
    return true
}

/// `eventually`, recording an issue if `condition` never holds.
func eventually(_ what: String, timeout: Duration = .seconds(5), sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool) async throws {
    if try await !eventually(timeout: timeout, condition) {
        Issue.record("timed out waiting until \(what)", sourceLocation: sourceLocation)
    }
}
