public import HTTPCore
import HTTPCoreHTTP2

/// The layer applications call (httpcore's ConnectionPool): it keeps connections per
/// origin, reuses them, opens new ones within the limits, and negotiates HTTP/1.1 or
/// HTTP/2 for each.
///
/// The decisions are `StateMachine`'s, made under a lock; connecting and closing happen
/// after it, in tasks of their own, so a cancelled request never leaves a connection
/// "connecting" on its behalf: the attempt finishes (or times out) and serves the next
/// waiter, or goes idle.
///
/// Unfinished (issue 6 is open): proxies, the structured snapshot and event stream, idle
/// expiry on a timer (expired connections are closed when the pool next plans), and the
/// cancellation stress test.
public final class ConnectionPool: RequestInterface, Sendable {
    private struct Core {
        var machine: StateMachine
        var live: [Int: any Connection] = [:]
        var waiters: [Int: Waiter<Int>] = [:]
        var nextWaiter = 0
    }

    private let backend: any NetworkBackend
    private let connector: PoolConnector
    private let core: Locked<Core>

    public init(backend: any NetworkBackend, configuration: Configuration = Configuration()) throws(HTTPCoreError) {
        self.backend = backend
        connector = try PoolConnector(backend: backend, configuration: configuration)
        var http2Schemes: Set<String> = configuration.http2 ? ["https"] : []
        if configuration.http2, !configuration.http1 { http2Schemes.insert("http") }
        let limits = StateMachine.Limits(
            maxConnections: max(1, configuration.maxConnections),
            maxKeepaliveConnections: max(0, configuration.maxKeepaliveConnections),
            keepaliveExpiry: configuration.keepaliveExpiry,
            maxConnectionsPerOrigin: max(1, configuration.maxHTTP2ConnectionsPerOrigin),
            http2Schemes: http2Schemes
        )
        core = Locked(Core(machine: StateMachine(limits: limits)))
    }

    /// Sends `request` on a pooled connection. An idempotent request that fails on a
    /// reused connection before any response byte (the server closed it meanwhile) is
    /// retried once on another.
    public func send(_ request: Request) async throws -> Response {
        guard let origin = request.origin else {
            throw HTTPCoreError(.invalidRequest, "the request has no scheme and authority to route by", processing: .notProcessed)
        }
        var retried = false
        while true {
            let (id, connection, reused) = try await acquire(origin, options: request.options)
            request.options.trace?.record(.connectionAcquired(stream: connection.streamInfo, reused: reused))
            do {
                let response = try await connection.send(request)
                let body = PoolBodySource(response.body.takeSource()) { [weak self] in self?.release(id, connection) }
                return Response(head: response.head, body: ResponseBody(source: body), version: response.version)
            } catch {
                release(id, connection)
                let failure = HTTPCoreError.from(error, default: .readFailed)
                if reused, !retried, failure.isSafeToRetry, request.isIdempotent, !Task.isCancelled {
                    retried = true
                    continue
                }
                throw failure
            }
        }
    }

    /// One line per connection, like httpcore's
    /// `<HTTP2Connection ['https://example.com:443', HTTP/2, ACTIVE, Request Count: 6]>`.
    public var connections: [String] {
        core.withLock { core in
            core.machine.connections.keys.sorted().map { id in
                if let connection = core.live[id] { return connection.description }
                let origin = core.machine.connections[id]!.origin
                return "<Connection ['\(origin)', CONNECTING]>"
            }
        }
    }

    /// Fails waiting requests and closes every connection; later requests fail with
    /// `.connectionUnavailable`. Responses still being read finish on their connections,
    /// which close when released.
    public func shutdown() async {
        let (actions, open) = core.withLock { core in
            (core.machine.shutDown(), core.live)
        }
        run(actions)
        for (_, connection) in open { await connection.close() }
    }

    // MARK: - Leasing

    private func acquire(_ origin: Origin, options: RequestOptions) async throws -> (Int, any Connection, Bool) {
        let clock = backend.clock
        let waiter = Waiter<Int>()
        let (ticket, actions) = core.withLock { core -> (Int, [StateMachine.Action]) in
            core.nextWaiter += 1
            core.waiters[core.nextWaiter] = waiter
            let expired = core.machine.expire(now: clock.now)
            return (core.nextWaiter, expired + core.machine.request(origin, waiter: core.nextWaiter, now: clock.now))
        }
        run(actions)
        // Only a request that has to wait needs a pool timeout.
        let timeout = waiter.isFinished ? nil : options.timeouts.pool.map { pool in
            Task {
                try await clock.sleep(until: clock.now + pool)
                if core.withLock({ $0.machine.cancel(waiter: ticket) }) {
                    waiter.resume(throwing: HTTPCoreError(.poolTimeout, "no connection within \(pool)", processing: .notProcessed))
                }
            }
        }
        defer { timeout?.cancel() }
        let id: Int
        do {
            id = try await waiter.wait { [core] in _ = core.withLock { $0.machine.cancel(waiter: ticket) } }
        } catch {
            core.withLock { _ = $0.waiters.removeValue(forKey: ticket) }
            // Assigned in the same instant as the cancellation: hand the connection back.
            if case .success(let assigned)? = waiter.finishedResult, let connection = core.withLock({ $0.live[assigned] }) {
                release(assigned, connection)
            }
            throw HTTPCoreError.from(error, default: .poolTimeout).with(processing: .notProcessed)
        }
        guard let (connection, count) = core.withLock({ core in core.live[id].map { ($0, core.machine.connections[id]?.requestCount ?? 0) } }) else {
            throw HTTPCoreError(.connectionUnavailable, "the connection closed before the request could use it", processing: .notProcessed)
        }
        return (id, connection, count > 1)
    }

    private func release(_ id: Int, _ connection: any Connection) {
        // HTTP/1.1 takes the next request once idle; HTTP/2 while it accepts new streams.
        let reusable = !connection.isClosed && ((connection as? HTTP2Connection)?.acceptsNewStreams ?? connection.isIdle)
        let actions = core.withLock { $0.machine.released(id, reusable: reusable, now: backend.clock.now) }
        run(actions)
    }

    // MARK: - Actions

    /// Runs what the machine decided. `failure`, when given, is the full error behind any
    /// `.fail` (a connect failure keeps its underlying TLS or network detail).
    private func run(_ actions: [StateMachine.Action], failure: HTTPCoreError? = nil) {
        for action in actions {
            switch action {
            case .open(let id, let origin):
                Task { await open(id, origin) }
            case .assign(let waiter, let connection):
                let waiting = core.withLock { $0.waiters.removeValue(forKey: waiter) }
                if waiting?.resume(returning: connection) != true {
                    // The request went away this instant: give the connection back.
                    if let live = core.withLock({ $0.live[connection] }) { release(connection, live) }
                }
            case .close(let id):
                if let connection = core.withLock({ $0.live.removeValue(forKey: id) }) {
                    Task { await connection.close() }
                }
            case .fail(let waiter, let code, let detail):
                core.withLock { $0.waiters.removeValue(forKey: waiter) }?
                    .resume(throwing: (failure ?? HTTPCoreError(code, detail)).with(processing: .notProcessed))
            }
        }
    }

    private func open(_ id: Int, _ origin: Origin) async {
        let clock = backend.clock
        do {
            let connection = try await connector.connect(origin, timeout: connector.configuration.connectTimeout)
            let http2 = connection as? HTTP2Connection
            let actions = core.withLock { core -> [StateMachine.Action] in
                core.live[id] = connection
                return core.machine.connected(id, capacity: http2?.streamUsage.limit ?? 1, http2: http2 != nil, now: clock.now)
            }
            run(actions)
        } catch {
            let failure = HTTPCoreError.from(error, default: .connectFailed)
            let actions = core.withLock { $0.machine.connectFailed(id, error: failure.code, detail: failure.detail, now: clock.now) }
            run(actions, failure: failure)
        }
    }
}

/// Runs `body` with a pool and shuts the pool down however `body` ends.
@discardableResult
public func withConnectionPool<T>(
    backend: any NetworkBackend,
    configuration: ConnectionPool.Configuration = ConnectionPool.Configuration(),
    _ body: (ConnectionPool) async throws -> T
) async throws -> T {
    let pool = try ConnectionPool(backend: backend, configuration: configuration)
    do {
        let result = try await body(pool)
        await pool.shutdown()
        return result
    } catch {
        await pool.shutdown()
        throw error
    }
}

extension Request {
    /// RFC 9110 §9.2.2: safe to repeat.
    var isIdempotent: Bool {
        [.get, .head, .options, .trace, .put, .delete].contains(head.method)
    }
}
