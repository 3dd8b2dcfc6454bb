public import HTTPCore

/// The layer applications call (httpcore's ConnectionPool): it keeps connections per
/// origin, reuses them, opens new ones within the limits, and negotiates HTTP/1.1 or
/// HTTP/2 for each.
///
/// The decisions are `StateMachine`'s, made under a lock; connecting and closing happen
/// after it, in tasks of their own. A cancelled request leaves the queue at once; an
/// attempt to connect that no request waits for any more is abandoned, and one that
/// others still wait for finishes (or times out) and serves them.
public final class ConnectionPool: RequestInterface, Sendable {
    fileprivate struct Core {
        var machine: StateMachine
        var live: [Int: any Connection] = [:]
        /// Each connection's origin, from `open` until it is closed (for events).
        var origins: [Int: Origin] = [:]
        /// Requests waiting; the waiter is nil only inside `lease`'s lock, while it
        /// finds out whether it must wait.
        var waiters: [Int: (waiter: Waiter<Int>?, origin: Origin)] = [:]
        var nextWaiter = 0
        var connecting: [Int: Task<Void, Never>] = [:]
        var expiryTimer: Task<Void, Never>?
        /// Pool timeouts of waiting requests, and the one task that enforces them.
        var deadlines = PoolDeadlines()
        var deadlineTimer: Task<Void, Never>?
        /// What the deadline timer sleeps until; a new earlier deadline replaces the timer.
        var deadlineTimerWakesAt: HTTPInstant?
        var deadlineTimerGeneration = 0
        var subscribers: [Int: AsyncStream<PoolEvent>.Continuation] = [:]
        var nextSubscriber = 0
        /// How each new connection was set up (resolution, attempts, TCP, proxy, TLS), for
        /// the trace of the request that gets it first; dropped at that lease or at close.
        var setups: [Int: [RequestTrace.Entry]] = [:]
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

    /// Sends `request` on a pooled connection. A reused connection that fails the request
    /// before sending it (found closed while idle, HTTP/2 stream refused or above GOAWAY's
    /// last id) is skipped, whatever the method, once per connection; an idempotent request
    /// that fails on a reused connection before any response byte (the server closed or
    /// reset it meanwhile, RFC 9112 §9.3.1) is retried once on another.
    public func send(_ request: Request) async throws -> Response {
        var request = request
        request.options = request.options.fixingDeadline(clock: backend.clock)
        guard let origin = request.origin else {
            throw HTTPCoreError(.invalidRequest, "the request has no scheme and authority to route by", processing: .notProcessed)
        }
        let trace = request.options.trace
        let clock = backend.clock
        var retried = false
        var skipped: Set<Int> = []
        var attempt = 1
        while true {
            // Each attempt starts again, a retry on another connection too: integrations
            // count attempts and end spans by it.
            trace?.record(.started(method: request.head.method, origin: origin), at: clock.now)
            let id: Int, connection: any Connection, reused: Bool
            do {
                (id, connection, reused) = try await acquire(origin, options: request.options)
            } catch {
                let failure = HTTPCoreError.from(error, default: .connectionUnavailable)
                trace?.record(.failed(failure), at: clock.now)
                throw failure
            }
            let setup = reused ? nil : core.withLock { $0.setups.removeValue(forKey: id) }
            if let trace {
                for entry in setup ?? [] { trace.record(entry) }
                trace.record(.acquired(connection: id, reused: reused, version: connection.version, stream: connection.streamInfo), at: clock.now)
            }
            do {
                var response = try await connection.send(request)
                response.body.onFinish { [weak self] in self?.release(id, connection) }
                if let trace {
                    trace.record(.responseHeadReceived(status: response.status.code, version: response.version), at: clock.now)
                    response.body = ResponseBody(source: TracedBodySource(response.body.takeSource(), trace: trace, clock: clock))
                }
                return response
            } catch {
                release(id, connection)
                let failure = HTTPCoreError.from(error, default: .readFailed)
                // Every idle connection can have gone stale at once (a server closing its
                // keep-alive connections together). Each is skipped at most once, and only
                // connections used before, so this ends on a fresh connection.
                var again = reused && !Task.isCancelled && failure.isSafeToRetry && failure.isConnectionFailure && skipped.insert(id).inserted
                if !again, reused, !Task.isCancelled, !retried, failure.diedBeforeResponse, request.isIdempotent {
                    retried = true
                    again = true
                }
                guard again else {
                    trace?.record(.failed(failure), at: clock.now)
                    throw failure
                }
                attempt += 1
                trace?.record(.retry(attempt: attempt, status: nil, failure: failure.code), at: clock.now)
            }
        }
    }

    // MARK: - Introspection

    /// One line per connection (its `description`), like httpcore's
    /// `<HTTP1Connection ['http://example.com:80', HTTP/1.1, IDLE, Request Count: 3]>`.
    public var connections: [String] {
        core.withLock { core in
            core.machine.connections.keys.sorted().map { id in
                if let connection = core.live[id] { return connection.description }
                return "<Connection ['\(core.machine.connections[id]!.origin)', CONNECTING]>"
            }
        }
    }

    /// The open connections themselves, for leak checks that look inside one (the HTTP/2
    /// streams its machine still tracks, its upload tasks): the soak
    /// (Sources/httpcore-soak) and tests. Package access: applications have `snapshot`.
    package var openConnections: [any Connection] {
        core.withLock { core in core.live.keys.sorted().compactMap { core.live[$0] } }
    }

    /// Every origin's connections (state, protocol, requests in use and the limit, idle
    /// age) and queued requests, at one instant.
    public var snapshot: PoolSnapshot {
        let now = backend.clock.now
        return core.withLock { core in
            core.machine.snapshot(now: now) { id in core.live[id]?.version }
        }
    }

    /// What the pool does from now on, in order. Each call is a new subscriber; a
    /// subscriber more than `buffer` events behind loses the oldest. Ends at shutdown.
    public func events(buffer: Int = 4096) -> AsyncStream<PoolEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: PoolEvent.self, bufferingPolicy: .bufferingNewest(buffer))
        let added = core.withLock { core -> Int? in
            guard !core.machine.isShutDown else { return nil }
            core.nextSubscriber += 1
            core.subscribers[core.nextSubscriber] = continuation
            return core.nextSubscriber
        }
        if let added {
            continuation.onTermination = { [weak self] _ in self?.core.withLock { _ = $0.subscribers.removeValue(forKey: added) } }
        } else {
            continuation.finish()
        }
        return stream
    }

    // MARK: - Lifecycle

    /// Fails waiting requests and closes every connection; later requests fail with
    /// `.connectionUnavailable`. Responses still being read finish on their connections,
    /// which close when released.
    public func shutdown() async {
        let (actions, open, subscribers) = core.withLock { core in
            core.expiryTimer?.cancel()
            core.expiryTimer = nil
            core.deadlineTimer?.cancel()
            core.deadlineTimer = nil
            let open = core.live
            let actions = core.decide { $0.shutDown() }
            let subscribers = core.subscribers.values
            core.subscribers = [:]
            return (actions, open, subscribers)
        }
        run(actions)
        for subscriber in subscribers { subscriber.finish() }
        for (_, connection) in open { await connection.close() }
    }

    // MARK: - Leasing

    private func acquire(_ origin: Origin, options: RequestOptions) async throws -> (Int, any Connection, Bool) {
        while true {
            let (id, connection, count) = try await lease(origin, options: options)
            // The peer may have closed it (or sent GOAWAY) since it went idle.
            if !connection.acceptsNewRequests {
                release(id, connection)
                continue
            }
            return (id, connection, count > 1)
        }
    }

    /// Waits for a connection; returns it with its request count.
    private func lease(_ origin: Origin, options: RequestOptions) async throws -> (Int, any Connection, Int) {
        // A free connection is decided and taken under one lock, with no waiter made.
        let (ticket, waiter, leased, actions) = core.withLock { core -> (Int, Waiter<Int>?, (Int, any Connection, Int)?, [StateMachine.Action]) in
            core.nextWaiter += 1
            let ticket = core.nextWaiter
            core.waiters[ticket] = (nil, origin)
            var actions = core.decide { $0.request(origin, waiter: ticket) }
            for (index, action) in actions.enumerated() {
                guard case .assign(ticket, let id) = action, let leased = core.lease(id) else { continue }
                actions.remove(at: index)
                core.waiters[ticket] = nil
                return (ticket, nil, leased, actions)
            }
            let waiter = Waiter<Int>()
            core.waiters[ticket] = (waiter, origin)
            let failed = actions.contains { if case .fail(ticket, _, _) = $0 { true } else { false } }
            if !failed { core.emit(.queued(origin: origin)) }
            return (ticket, waiter, nil, actions)
        }
        if waiter != nil { options.trace?.record(.queued, at: backend.clock.now) }
        run(actions, connectTimeout: options.timeouts.connect)
        if let leased { return leased }
        guard let waiter else { preconditionFailure("a request neither leased nor waiting") }
        // Only a request that has to wait needs a pool timeout.
        if !waiter.isFinished { armPoolTimeout(ticket, origin, options) }
        let id: Int
        do {
            id = try await waiter.wait { [weak self] in _ = self?.leave(ticket, origin) }
        } catch {
            core.withLock { _ = $0.waiters.removeValue(forKey: ticket) }
            // Assigned in the same instant as the cancellation: hand the connection back.
            if case .success(let assigned)? = waiter.finishedResult, let connection = core.withLock({ $0.live[assigned] }) {
                release(assigned, connection)
            }
            throw HTTPCoreError.from(error, default: .poolTimeout).with(processing: .notProcessed)
        }
        guard let leased = core.withLock({ $0.lease(id) }) else {
            throw HTTPCoreError(.connectionUnavailable, "the connection closed before the request could use it", processing: .notProcessed)
        }
        return leased
    }

    // MARK: - Pool timeouts

    /// Gives waiting request `ticket` its deadline (its pool timeout or, if earlier, its
    /// total deadline: the wait covers connecting, TLS and any proxy handshake too),
    /// starting the pool's deadline timer, or replacing it when this deadline comes before
    /// the one it sleeps until.
    private func armPoolTimeout(_ ticket: Int, _ origin: Origin, _ options: RequestOptions) {
        let clock = backend.clock
        let poolDeadline = options.timeouts.pool.map { clock.now + $0 }
        let entry: PoolDeadlines.Entry
        if let total = options.deadline, poolDeadline.map({ total < $0 }) ?? true {
            entry = .init(deadline: total, ticket: ticket, origin: origin, failure: HTTPCoreError(
                .totalTimeout, "the request's total deadline passed while it waited for a connection", processing: .notProcessed
            ))
        } else if let poolDeadline, let limit = options.timeouts.pool {
            entry = .init(deadline: poolDeadline, ticket: ticket, origin: origin, failure: HTTPCoreError(
                .poolTimeout, "no connection within \(limit)", processing: .notProcessed
            ))
        } else {
            return
        }
        let deadline = entry.deadline
        core.withLock { core in
            guard core.waiters[ticket] != nil else { return }  // served meanwhile
            core.deadlines.insert(entry)
            let waiters = core.waiters
            core.deadlines.compact(waiting: waiters.count) { waiters[$0] != nil }
            if core.deadlineTimer != nil, let wakesAt = core.deadlineTimerWakesAt, wakesAt <= deadline { return }
            core.deadlineTimer?.cancel()
            core.deadlineTimerGeneration += 1
            core.deadlineTimerWakesAt = deadline
            let generation = core.deadlineTimerGeneration
            core.deadlineTimer = Task { [weak self] in
                while let wake = self?.nextDeadline(timer: generation) {
                    do { try await clock.sleep(until: wake) } catch { return }
                    self?.expireWaiters(now: clock.now)
                }
            }
        }
    }

    /// The earliest deadline for timer `generation`, or nil when it should stop: it was
    /// replaced, or no deadline is left (then it is marked stopped, under the lock that
    /// `armPoolTimeout` takes, so no deadline goes without a timer).
    private func nextDeadline(timer generation: Int) -> HTTPInstant? {
        core.withLock { core in
            guard generation == core.deadlineTimerGeneration else { return nil }
            guard let earliest = core.deadlines.earliest else {
                core.deadlineTimer = nil
                core.deadlineTimerWakesAt = nil
                return nil
            }
            core.deadlineTimerWakesAt = earliest
            return earliest
        }
    }

    /// Fails the requests whose pool timeout passed and that still wait.
    private func expireWaiters(now: HTTPInstant) {
        let due = core.withLock { core in
            let waiters = core.waiters
            return core.deadlines.expired(now: now) { waiters[$0] != nil }
                .compactMap { entry in waiters[entry.ticket]?.waiter.map { (waiter: $0, entry: entry) } }
        }
        for (waiter, entry) in due where leave(entry.ticket, entry.origin) {
            waiter.resume(throwing: entry.failure)
        }
    }

    /// Takes waiter `ticket` out of the queue; false if it was already given a connection.
    private func leave(_ ticket: Int, _ origin: Origin) -> Bool {
        let actions = core.withLock { core -> [StateMachine.Action]? in
            var left = false
            let actions = core.decide { machine in
                let actions = machine.cancel(waiter: ticket, origin: origin)
                left = actions != nil
                return actions ?? []
            }
            return left ? actions : nil
        }
        guard let actions else { return false }
        run(actions)
        return true
    }

    private func release(_ id: Int, _ connection: any Connection) {
        // HTTP/1.1 takes the next request once idle; HTTP/2 while it accepts new streams.
        let reusable = connection.acceptsNewRequests && (connection.version == .http2 || connection.isIdle)
        let now = backend.clock.now
        let (actions, needsTimer) = core.withLock { core in
            if let origin = core.origins[id] { core.emit(.released(connection: id, origin: origin)) }
            return (core.decide { $0.released(id, reusable: reusable, now: now) }, core.expiryTimer == nil)
        }
        run(actions)
        if needsTimer { scheduleExpiry() }
    }

    // MARK: - Actions

    /// Runs what the machine decided (its events are already out). `failure`, when given,
    /// is the full error behind any `.fail` (a connect failure keeps its TLS or network
    /// detail). `connectTimeout` is the connect timeout of the request whose arrival made
    /// the decision: a connection opened for it takes the smaller of that and the pool's.
    private func run(_ actions: [StateMachine.Action], failure: HTTPCoreError? = nil, connectTimeout: Duration? = nil) {
        for action in actions {
            switch action {
            case .open(let id, let origin):
                let pool = connector.configuration.connectTimeout
                let timeout = switch (connectTimeout, pool) {
                case let (a?, b?): min(a, b)
                case let (a, b): a ?? b
                }
                core.withLock { core in
                    core.connecting[id] = Task { await self.open(id, origin, timeout: timeout) }
                }
            case .assign(let waiter, let connection):
                let waiting = core.withLock { $0.waiters.removeValue(forKey: waiter) }
                if waiting?.waiter?.resume(returning: connection) != true {
                    // The request went away this instant: give the connection back.
                    if let live = core.withLock({ $0.live[connection] }) { release(connection, live) }
                }
            case .close(let id):
                if let connection = core.withLock({ $0.live.removeValue(forKey: id) }) {
                    Task { await connection.close() }
                }
            case .abandon(let id):
                core.withLock { $0.connecting.removeValue(forKey: id) }?.cancel()
            case .fail(let waiter, let code, let detail):
                core.withLock { $0.waiters.removeValue(forKey: waiter) }?.waiter?
                    .resume(throwing: (failure ?? HTTPCoreError(code, detail)).with(processing: .notProcessed))
            }
        }
    }

    private func open(_ id: Int, _ origin: Origin, timeout: Duration?) async {
        let clock = backend.clock
        do {
            // Every new connection keeps its setup for the request that gets it first: the
            // one that caused it may be served by another connection meanwhile.
            let setup = RequestTraceRecorder()
            let connection = try await connector.connect(origin, timeout: timeout, trace: setup.trace, connection: id)
            let version = connection.version
            let actions = core.withLock { core -> [StateMachine.Action] in
                core.connecting[id] = nil
                core.live[id] = connection
                core.setups[id] = setup.entries
                if core.origins[id] != nil { core.emit(.connected(connection: id, origin: origin, version: version)) }
                // HTTP/2 takes one request until the peer's SETTINGS say how many streams
                // (as AsyncHTTPClient does): planning on an assumed 100 would pile
                // requests on a connection that may allow 2, instead of fanning out.
                let capacity = connection.requestLimit
                return core.decide { $0.connected(id, capacity: capacity, http2: version == .http2, now: clock.now) }
            }
            run(actions)
            connection.observe { [weak self] change in self?.connectionChanged(id, origin, change) }
            scheduleExpiry()
        } catch {
            let failure = HTTPCoreError.from(error, default: .connectFailed)
            let actions = core.withLock { core in
                core.connecting[id] = nil
                if core.origins[id] != nil { core.emit(.connectFailed(connection: id, origin: origin, failure.code)) }
                return core.decide { $0.connectFailed(id, error: failure.code, detail: failure.detail) }
            }
            run(actions, failure: failure)
        }
    }

    private func connectionChanged(_ id: Int, _ origin: Origin, _ change: ConnectionChange) {
        let actions = core.withLock { core in
            switch change {
            case .requestLimit(let limit):
                let before = core.machine.connections[id]?.capacity
                let actions = core.decide { $0.capacityChanged(id, to: limit) }
                if before != nil, before != limit { core.emit(.requestLimitChanged(connection: id, origin: origin, limit: limit)) }
                return actions
            case .stoppedAcceptingRequests:
                return core.decide { $0.connectionLost(id) }
            }
        }
        run(actions)
    }

    // MARK: - Keep-alive expiry

    /// Starts the expiry timer if an idle connection needs one and none runs. One timer
    /// serves the pool: it sleeps until the earliest expiry, closes what expired, and
    /// looks again; it stops when nothing is idle.
    private func scheduleExpiry() {
        core.withLock { core in
            guard core.expiryTimer == nil, !core.machine.isShutDown, core.machine.nextExpiry != nil else { return }
            core.expiryTimer = Task { [weak self, clock = backend.clock] in
                while let deadline = self?.nextExpiry() {
                    do { try await clock.sleep(until: deadline) } catch { return }
                    self?.expireIdle()
                }
            }
        }
    }

    /// The next expiry, or nil after marking the timer stopped (under the same lock as
    /// `scheduleExpiry`, so an idle connection never goes without a timer).
    private func nextExpiry() -> HTTPInstant? {
        core.withLock { core in
            guard let next = core.machine.nextExpiry, !core.machine.isShutDown else {
                core.expiryTimer = nil
                return nil
            }
            return next
        }
    }

    private func expireIdle() {
        let now = backend.clock.now
        run(core.withLock { $0.decide { $0.expire(now: now) } })
    }
}

extension ConnectionPool.Core {
    /// Runs a machine event and emits the events its actions imply, under the caller's
    /// lock so subscribers see them in decision order.
    mutating func decide(_ event: (inout ConnectionPool.StateMachine) -> [ConnectionPool.StateMachine.Action]) -> [ConnectionPool.StateMachine.Action] {
        let actions = event(&machine)
        for action in actions {
            switch action {
            case .open(let id, let origin):
                origins[id] = origin
                emit(.connecting(connection: id, origin: origin))
            case .assign(let waiter, let connection):
                if let origin = waiters[waiter]?.origin { emit(.assigned(connection: connection, origin: origin)) }
            case .close(let id), .abandon(let id):
                setups[id] = nil
                if let origin = origins.removeValue(forKey: id) { emit(.closed(connection: id, origin: origin)) }
            case .fail(let waiter, let code, _):
                if let origin = waiters[waiter]?.origin { emit(.requestFailed(origin: origin, code)) }
            }
        }
        return actions
    }

    /// Connection `id` as a lease: the connection and how many requests it has been given.
    func lease(_ id: Int) -> (Int, any Connection, Int)? {
        live[id].map { (id, $0, machine.connections[id]?.requestCount ?? 0) }
    }

    func emit(_ event: PoolEvent) {
        for subscriber in subscribers.values { subscriber.yield(event) }
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

extension HTTPCoreError {
    /// Whether a request that failed this way before its response head may have met a
    /// connection the peer had already let go of: closed (FIN) or forgotten, so that its
    /// kernel answered the request with a RST (a peer that rebooted, or one whose FIN a
    /// middlebox dropped: the half-open connection of the fault tests).
    var diedBeforeResponse: Bool {
        code == .closedBeforeResponse || code == .connectionReset
    }

    /// Whether the connection could not carry the request (closed, reset, TLS alert,
    /// refused stream, GOAWAY), rather than the request being wrong or cancelled.
    var isConnectionFailure: Bool {
        switch category {
        case .unavailable, .network, .tls: true
        default: code == .streamReset
        }
    }
}
