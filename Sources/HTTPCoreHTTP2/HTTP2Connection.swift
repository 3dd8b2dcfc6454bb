public import HTTPCore
import HTTPTypes

/// An HTTP/2 connection (RFC 9113) over any `NetworkStream`: TLS with ALPN `h2`, or
/// cleartext by prior knowledge. Many requests share it; each is one stream.
///
/// This class is the shell around `HTTP2StateMachine`: it owns the nghttp2 session, the
/// waiters and the I/O, feeds every event to the machine and runs the actions it returns
/// (HTTP2Connection+State.swift). One reader task feeds nghttp2; whoever produces frames
/// flushes them (one flusher at a time, so frames keep nghttp2's order). Response bodies
/// reopen their flow-control windows only as the application reads, so a slow reader makes
/// the peer wait instead of making us buffer.
///
/// Two ways in: `send(_:)` (the `Connection` seam: returns at the response head while a
/// streamed request body keeps uploading beside it), and aioh2's stream API
/// (HTTP2Connection+Streams.swift: `startRequest`, `sendData`, `receiveResponse`,
/// `readStream`, `sendTrailers`, `receiveTrailers`, `resetStream`, `waitFunctional`).
///
/// Timeouts: the request's read timeout bounds the wait for the head and each wait for
/// body bytes; its write timeout bounds each wait for flow-control room while uploading;
/// its total deadline bounds them all. One timer task per connection serves them
/// (HTTP2Connection+Timeouts.swift).
public final class HTTP2Connection: Connection, @unchecked Sendable {
    // @unchecked: every mutable field lives in `state` or `observation`, each a `Locked`;
    // the rest is immutable.
    public let origin: Origin
    let stream: any NetworkStream
    let clock: any HTTPClock
    let configuration: Configuration
    /// Server role: how long one write of framed output may wait for the client to take
    /// it (`serverWriteTimeout`). A client that stops reading would otherwise hold whichever
    /// task is flushing (the reader, the timer, a handler) forever, and with it every
    /// stream's deadlines and the connection. Nil for clients: the request's own
    /// deadlines bound them.
    let flushTimeout: Duration?
    let state: Locked<State>
    /// The observer and what it last heard (HTTP2Connection+Observer.swift).
    let observation = Locked(Observation())

    /// Sends the connection preface and SETTINGS, and starts reading. Requests can be
    /// sent at once (RFC 9113 §3.4 lets the client go before the server's SETTINGS).
    public static func start(
        over stream: any NetworkStream,
        origin: Origin,
        clock: any HTTPClock = SystemClock(),
        configuration: Configuration = Configuration()
    ) async throws -> HTTP2Connection {
        let connection = try await open(.client, over: stream, origin: origin, clock: clock, configuration: configuration)
        await connection.run()
        return connection
    }

    /// A connection in `role` with its nghttp2 session; closes `stream` when nghttp2 fails.
    static func open(
        _ role: HTTP2StateMachine.Role, over stream: any NetworkStream, origin: Origin, clock: any HTTPClock, configuration: Configuration
    ) async throws -> HTTP2Connection {
        let session: NGHTTP2Session
        do {
            session = try NGHTTP2Session(role: role == .client ? .client : .server, settings: configuration.sessionSettings, limits: configuration.sessionLimits)
        } catch {
            await stream.close(.abortive)
            throw HTTPCoreError(.connectionUnavailable, "nghttp2: \(error)", processing: .notProcessed)
        }
        return HTTP2Connection(stream: stream, origin: origin, clock: clock, configuration: configuration, session: session, role: role)
    }

    init(stream: any NetworkStream, origin: Origin, clock: any HTTPClock, configuration: Configuration, session: NGHTTP2Session, role: HTTP2StateMachine.Role) {
        self.stream = stream
        self.origin = origin
        self.clock = clock
        self.configuration = configuration
        flushTimeout = role == .server ? configuration.serverWriteTimeout : nil
        let machine = HTTP2StateMachine(
            role: role, now: clock.now, uploadBuffer: configuration.uploadBuffer, functionalTimeout: configuration.functionalTimeout,
            pingTimeout: max(configuration.functionalTimeout, configuration.keepAliveTimeout)
        )
        state = Locked(State(machine: machine, session: session))
    }

    /// Sends our SETTINGS and starts the reader, the timer and the optional keep-alive.
    func run() async {
        await flush()
        Task(executorPreference: stream.preferredTaskExecutor) { await self.readLoop() }
        Task(executorPreference: stream.preferredTaskExecutor) { await self.timerLoop() }
        if let interval = configuration.keepAliveInterval {
            Task(executorPreference: stream.preferredTaskExecutor) { await self.keepAliveLoop(every: interval) }
        }
    }

    // MARK: - Connection

    public func canHandle(_ origin: Origin) -> Bool { origin == self.origin }

    /// Takes another request without queueing: open, and below the peer's stream limit.
    /// When false while open, the pool can open another connection (fan-out).
    public var isAvailable: Bool { state.withLock { $0.machine.slots.isAvailable } }

    public var isIdle: Bool { state.withLock { $0.machine.slots.isIdle } }

    /// The stream's executor (a libuv loop): tasks that send on this connection with it as
    /// their preference never leave the loop thread.
    public var preferredTaskExecutor: (any TaskExecutor)? { stream.preferredTaskExecutor }

    public var isClosed: Bool { state.withLock { $0.machine.slots.phase == .closed } }

    /// Why the connection ended (the error its waiters failed with); nil while it is open.
    /// The server reports its connections' ends by it.
    package var endError: HTTPCoreError? { state.withLock { $0.machine.closeError } }

    /// Open and not draining: new streams may still start here (perhaps after queueing).
    public var acceptsNewStreams: Bool { state.withLock { $0.machine.slots.phase == .active } }

    public var requestCount: Int { state.withLock { $0.machine.slots.requestCount } }

    /// The peer's SETTINGS_MAX_CONCURRENT_STREAMS; nil until its first SETTINGS arrive
    /// (until then requests may start against an assumed limit of 100).
    public var peerStreamLimit: Int? { state.withLock { $0.machine.slots.peerLimitKnown ? $0.machine.slots.peerLimit : nil } }

    public var streamInfo: NetworkStreamInfo { stream.info }

    /// Streams open now, and the peer's limit.
    public var streamUsage: (open: Int, limit: Int) { state.withLock { ($0.machine.slots.openStreams, $0.machine.slots.peerLimit) } }

    /// Received body bytes no consumer has taken yet, over all streams (for tests: flow
    /// control bounds it by the windows).
    package var bufferedBodyBytes: Int {
        state.withLock { $0.machine.streams.values.reduce(0) { $0 + $1.bufferedBytes } }
    }

    package var pendingPingCount: Int { state.withLock { $0.machine.pings.count } }

    /// Streams refused with REFUSED_STREAM so far (nghttp2's own refusals past our stream
    /// limit; the server's `streamsRefused` event reads it).
    package var refusedStreamCount: Int { state.withLock { $0.session.refusedStreamsSent } }

    /// Streams the machine still tracks (for tests: none may leak).
    package var trackedStreamCount: Int { state.withLock { $0.machine.streams.count } }

    /// Stream ends `readStream` keeps for a later `receiveTrailers` (for tests: none may
    /// outlive their exchange).
    package var keptStreamEnds: Int { state.withLock { $0.endedStreams.count } }

    /// Whether a task waits for the head of `stream` (for tests that act on a waiter).
    package func isWaitingForHead(_ stream: HTTP2StreamID) -> Bool { state.withLock { $0.headWaiters[stream.rawValue] != nil } }

    /// Upload tasks still feeding request bodies (for tests: none may leak).
    package var uploadCount: Int { state.withLock { $0.uploads.count } }

    public func hasExpired(now: HTTPInstant) -> Bool {
        state.withLock { state in
            let slots = state.machine.slots
            if slots.phase != .active { return slots.isIdle }
            guard let since = slots.idleSince, let expiry = configuration.idleExpiry else { return false }
            return since.duration(to: now) >= expiry
        }
    }

    public var description: String {
        let (label, count) = state.withLock { state -> (String, Int) in
            let slots = state.machine.slots
            let label = switch slots.phase {
            case .active: slots.isIdle ? "IDLE" : "ACTIVE"
            case .draining: "DRAINING"
            case .closed: "CLOSED"
            }
            return (label, slots.requestCount)
        }
        return "<HTTP2Connection ['\(origin)', HTTP/2, \(label), Request Count: \(count)]>"
    }

    /// Sends GOAWAY, fails what is still waiting, and closes the stream.
    public func close() async {
        let closing = state.withLock { state -> Bool in
            guard state.machine.closeRequested() else { return false }
            state.session.goAway(code: 0)
            return true
        }
        guard closing else { return }
        await flush()
        await shutDown(HTTPCoreError(.connectionClosed, "the connection was closed"))
    }

    // MARK: - Priority

    /// Sends RFC 9218 PRIORITY_UPDATE for the stream that carries `response`, so the server
    /// can reorder what it sends. Only when the peer reads RFC 9218 signals (it sent
    /// SETTINGS_NO_RFC7540_PRIORITIES = 1) and the stream is still open; false otherwise.
    @discardableResult
    public func updatePriority(of response: Response, to priority: Priority) async -> Bool {
        guard let control = response.streamControl as? HTTP2StreamControl, control.connection === self else { return false }
        return await updatePriority(of: HTTP2StreamID(control.id), to: priority)
    }

    /// PRIORITY_UPDATE for a stream of the stream API; false when it cannot be sent.
    @discardableResult
    public func updatePriority(of stream: HTTP2StreamID, to priority: Priority) async -> Bool {
        let sent = state.withLock { state -> Bool in
            guard state.machine.closeError == nil, state.session.peerAllowsPriorityUpdate,
                  state.machine.streams[stream.rawValue]?.holdsSlot == true else { return false }
            state.session.priorityUpdate(stream: stream.rawValue, priority.headerValue)
            return true
        }
        if sent { await flushFromCaller() }
        return sent
    }

    // MARK: - Ping

    /// Sends a PING and returns the time until its ACK.
    public func ping() async throws -> Duration {
        let waiter = Waiter<Duration>()
        let opaque = try await withState { state, followUp throws(HTTPCoreError) -> UInt64 in
            let opaque = try state.machine.ping(now: clock.now).get()
            state.pingWaiters[opaque, default: []].append(waiter)
            state.apply([.sendPing(opaque: opaque)], into: &followUp)
            return opaque
        }
        return try await waiter.wait { [state] in
            state.withLock { state in
                state.pingWaiters[opaque] = nil
                state.machine.pingAbandoned(opaque)
            }
        }
    }

    func keepAliveLoop(every interval: Duration) async {
        while !isClosed {
            let lastActivity = state.withLock { $0.machine.lastActivity }
            do { try await clock.sleep(until: lastActivity + interval) } catch { return }
            guard state.withLock({ clock.now >= $0.machine.lastActivity + interval }), !isClosed else { continue }
            let timeout = configuration.keepAliveTimeout
            let pong = Task { try await self.ping() }
            let timer = Task {
                try await clock.sleep(until: clock.now + timeout)
                pong.cancel()
            }
            let answered = (try? await pong.value) != nil
            timer.cancel()
            if !answered, !isClosed {
                await shutDown(HTTPCoreError(.goAway, "no PING acknowledgement within \(timeout): the peer is gone"))
                return
            }
        }
    }
}
