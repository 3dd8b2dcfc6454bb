public import HTTPCore
import HTTPTypes

/// An HTTP/2 connection (RFC 9113) over any `NetworkStream`: TLS with ALPN `h2`, or
/// cleartext by prior knowledge. Many requests share it; each is one stream.
///
/// One reader task feeds nghttp2 and wakes the streams; whoever produces frames flushes
/// them (one flusher at a time, so frames keep nghttp2's order). Response bodies reopen
/// their flow-control windows only as the application reads, so a slow reader makes the
/// peer wait instead of making us buffer.
///
/// Timeouts: the request's read timeout bounds the wait for the head and each wait for
/// body bytes; its write timeout bounds each wait for flow-control room while uploading.
/// One timer task per connection serves them all (HTTP2Connection+Timeouts.swift).
public final class HTTP2Connection: Connection, @unchecked Sendable {
    // @unchecked: every mutable field lives in `core`, a `Locked`; the rest is immutable.
    public let origin: Origin
    let stream: any NetworkStream
    let clock: any HTTPClock
    let configuration: Configuration
    let core: Locked<Core>
    /// The observer and what it last heard (HTTP2Connection+Observer.swift).
    let observation = Locked(Observation())

    struct Core {
        var machine: StateMachine
        let session: NGHTTP2Session
        var streams: [Int32: HTTP2StreamState] = [:]
        var slotWaiters: [Int: Waiter<Void>] = [:]
        var pings: [UInt64: (waiter: Waiter<Duration>, sentAt: HTTPInstant)] = [:]
        var nextPing: UInt64 = 0
        var flushing = false
        var flushScheduled = false
        /// The timer task's wake-up, and the deadline it sleeps for (see +Timeouts).
        var timerWaiter: Waiter<Void>?
        var timerTarget: HTTPInstant?
        var goAway: (lastStreamID: Int32, failure: HTTP2Failure)?
        /// The GOAWAY nghttp2 wrote for a connection error it found, if any.
        var sentGoAway: HTTP2Failure?
        /// `close()` was called: its GOAWAY is not an error.
        var closing = false
        var closeError: HTTPCoreError?
        var lastActivity: HTTPInstant
        /// A request body's sender waits while more than this is queued and unframed.
        let uploadBuffer: Int
    }

    /// Sends the connection preface and SETTINGS, and starts reading. Requests can be
    /// sent at once (RFC 9113 §3.4 lets the client go before the server's SETTINGS).
    public static func start(
        over stream: any NetworkStream,
        origin: Origin,
        clock: any HTTPClock = SystemClock(),
        configuration: Configuration = Configuration()
    ) async throws -> HTTP2Connection {
        let session: NGHTTP2Session
        do {
            session = try NGHTTP2Session(role: .client, settings: configuration.sessionSettings, limits: configuration.sessionLimits)
        } catch {
            await stream.close(.abortive)
            throw HTTPCoreError(.connectionUnavailable, "nghttp2: \(error)", processing: .notProcessed)
        }
        let connection = HTTP2Connection(stream: stream, origin: origin, clock: clock, configuration: configuration, session: session)
        await connection.flush()
        Task(executorPreference: stream.preferredTaskExecutor) { await connection.readLoop() }
        Task(executorPreference: stream.preferredTaskExecutor) { await connection.timerLoop() }
        if let interval = configuration.keepAliveInterval {
            Task(executorPreference: stream.preferredTaskExecutor) { await connection.keepAliveLoop(every: interval) }
        }
        return connection
    }

    private init(stream: any NetworkStream, origin: Origin, clock: any HTTPClock, configuration: Configuration, session: NGHTTP2Session) {
        self.stream = stream
        self.origin = origin
        self.clock = clock
        self.configuration = configuration
        let now = clock.now
        core = Locked(Core(machine: StateMachine(now: now), session: session, lastActivity: now, uploadBuffer: configuration.uploadBuffer))
    }

    // MARK: - Connection

    public func canHandle(_ origin: Origin) -> Bool { origin == self.origin }

    /// Takes another request without queueing: open, and below the peer's stream limit.
    /// When false while open, the pool can open another connection (fan-out).
    public var isAvailable: Bool { core.withLock { $0.machine.isAvailable } }

    public var isIdle: Bool { core.withLock { $0.machine.isIdle } }

    /// The stream's executor (a libuv loop): tasks that send on this connection with it as
    /// their preference never leave the loop thread.
    public var preferredTaskExecutor: (any TaskExecutor)? { stream.preferredTaskExecutor }

    public var isClosed: Bool { core.withLock { $0.machine.phase == .closed } }

    /// Open and not draining: new streams may still start here (perhaps after queueing).
    public var acceptsNewStreams: Bool { core.withLock { $0.machine.phase == .active } }

    public var requestCount: Int { core.withLock { $0.machine.requestCount } }

    /// The peer's SETTINGS_MAX_CONCURRENT_STREAMS; nil until its first SETTINGS arrive
    /// (until then requests may start against an assumed limit of 100).
    public var peerStreamLimit: Int? { core.withLock { $0.machine.peerLimitKnown ? $0.machine.peerLimit : nil } }

    public var streamInfo: NetworkStreamInfo { stream.info }

    /// Streams open now, and the peer's limit.
    public var streamUsage: (open: Int, limit: Int) { core.withLock { ($0.machine.openStreams, $0.machine.peerLimit) } }

    /// Received body bytes no consumer has taken yet, over all streams (for tests: flow
    /// control bounds it by the windows).
    package var bufferedBodyBytes: Int {
        core.withLock { core in
            core.streams.values.reduce(0) { total, state in total + state.chunks[state.nextChunk...].reduce(0) { $0 + $1.count } }
        }
    }

    package var pendingPingCount: Int { core.withLock { $0.pings.count } }

    public func hasExpired(now: HTTPInstant) -> Bool {
        core.withLock { core in
            if core.machine.phase != .active { return core.machine.isIdle }
            guard let since = core.machine.idleSince, let expiry = configuration.idleExpiry else { return false }
            return since.duration(to: now) >= expiry
        }
    }

    public var description: String {
        let (label, count) = core.withLock { core -> (String, Int) in
            let label = switch core.machine.phase {
            case .active: core.machine.isIdle ? "IDLE" : "ACTIVE"
            case .draining: "DRAINING"
            case .closed: "CLOSED"
            }
            return (label, core.machine.requestCount)
        }
        return "<HTTP2Connection ['\(origin)', HTTP/2, \(label), Request Count: \(count)]>"
    }

    /// Sends GOAWAY, fails what is still waiting, and closes the stream.
    public func close() async {
        let alreadyClosed = core.withLock { core -> Bool in
            guard core.machine.phase != .closed else { return true }
            core.closing = true
            core.session.goAway(code: 0)
            return false
        }
        guard !alreadyClosed else { return }
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
        return await control.updatePriority(to: priority)
    }

    // MARK: - Ping

    /// Sends a PING and returns the time until its ACK.
    public func ping() async throws -> Duration {
        let waiter = Waiter<Duration>()
        let opaque = try core.withLock { core throws(HTTPCoreError) -> UInt64 in
            if let error = core.closeError { throw error }
            core.nextPing += 1
            core.pings[core.nextPing] = (waiter, clock.now)
            core.session.ping(opaque: core.nextPing)
            return core.nextPing
        }
        await flush()
        return try await waiter.wait { [core] in _ = core.withLock { $0.pings.removeValue(forKey: opaque) } }
    }

    private func keepAliveLoop(every interval: Duration) async {
        while !isClosed {
            let lastActivity = core.withLock { $0.lastActivity }
            do { try await clock.sleep(until: lastActivity + interval) } catch { return }
            guard core.withLock({ clock.now >= $0.lastActivity + interval }), !isClosed else { continue }
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

    // MARK: - Reading and writing frames

    private func readLoop() async {
        while true {
            let bytes: [UInt8]?
            do {
                bytes = try await stream.read(maxBytes: 64 << 10, deadline: nil)
            } catch {
                await shutDown(HTTPCoreError.from(error, default: .readFailed))
                return
            }
            guard let bytes else {
                await shutDown(HTTPCoreError(.connectionClosed, "the peer closed the connection"))
                return
            }
            let failure = core.withLock { $0.receive(bytes, now: clock.now) }
            notifyObserver()
            await flush()
            if let failure {
                await shutDown(failure)
                return
            }
        }
    }

    /// Writes whatever nghttp2 has framed. One flusher at a time; a caller that finds one
    /// running leaves its frames to it (the running flusher looks again before it stops).
    func flush() async {
        var isFlusher = false
        var output = core.withLock { core -> [UInt8]? in
            guard !core.flushing, core.closeError == nil else { return nil }
            core.flushing = true
            isFlusher = true
            return core.takeOutput(now: clock.now)
        }
        while let bytes = output {
            if bytes.isEmpty {
                return
            }
            do {
                try await stream.write(bytes, deadline: nil)
            } catch {
                core.withLock { $0.flushing = false }
                await shutDown(HTTPCoreError.from(error, default: .writeFailed))
                return
            }
            output = core.withLock { $0.takeOutput(now: clock.now) }
        }
        // nghttp2 found a connection error while parsing and its GOAWAY is now written (by
        // this flusher, so not still in flight): the session wants nothing more, and a
        // hostile peer need not close, so we do.
        guard isFlusher else { return }
        if let ended = core.withLock({ $0.endedByConnectionError() }) { await shutDown(ended) }
    }

    /// Flushes soon, from a task of its own, so frames submitted meanwhile (a burst of
    /// requests on the loop) leave in one write instead of one write each.
    func scheduleFlush() {
        let start = core.withLock { core -> Bool in
            guard !core.flushScheduled else { return false }
            core.flushScheduled = true
            return true
        }
        guard start else { return }
        Task(executorPreference: stream.preferredTaskExecutor) {
            self.core.withLock { $0.flushScheduled = false }
            await self.flush()
        }
    }

    /// Ends the connection: every waiter fails with `error` (not processed where the
    /// stream never started), and the stream closes.
    func shutDown(_ error: HTTPCoreError) async {
        let first = core.withLock { $0.fail(error, now: clock.now) }
        guard first else { return }
        notifyObserver()
        await stream.close(.graceful)
    }

    /// Forgets stream `id` at once (cancellation, a dropped body): RST_STREAM(CANCEL) and
    /// its slot to the next waiter. Safe to call from a cancellation handler.
    func cancelStream(_ id: Int32) {
        let reset = core.withLock { $0.cancel(id, now: clock.now) }
        if reset { scheduleFlush() }
    }
}

extension HTTP2Connection.Core {
    /// Feeds nghttp2 and applies what it reports. Returns a connection error, if any.
    mutating func receive(_ bytes: [UInt8], now: HTTPInstant) -> HTTPCoreError? {
        lastActivity = now
        switch session.receive(bytes) {
        case .failure(let failure):
            return HTTPCoreError(.goAway, "HTTP/2 connection error: \(failure)", underlying: HTTP2Failure(errorCode: .protocolError, initiator: .library))
        case .success(let events):
            for event in events { apply(event, now: now) }
        }
        if !session.isAlive {
            let failure = goAway?.failure ?? sentGoAway ?? HTTP2Failure(errorCode: .protocolError, initiator: .library)
            return HTTPCoreError(.goAway, "the HTTP/2 session ended: \(failure)", underlying: failure)
        }
        if machine.phase == .draining, machine.isIdle {
            return HTTPCoreError(.goAway, "the peer sent GOAWAY and every stream has finished", underlying: goAway?.failure)
        }
        return nil
    }

    /// Frames to write, or nil when there are none (and the flusher role is released).
    mutating func takeOutput(now: HTTPInstant) -> [UInt8]? {
        let output = session.takeOutput()
        // Framing can close streams (a RST_STREAM nghttp2 queued for a malformed response)
        // and report GOAWAY: apply that now, not whenever the peer next sends something.
        for event in session.takeEvents() { apply(event, now: now) }
        switch output {
        case .success(let bytes) where !bytes.isEmpty:
            // The data source drained upload queues: senders waiting for room go on.
            for (id, state) in streams where state.uploadWaiter != nil && session.queuedBodyBytes(stream: id) < uploadBuffer {
                streams[id]!.uploadWaiter?.resume(returning: ())
                streams[id]!.uploadWaiter = nil
            }
            return bytes
        default:
            flushing = false
            return nil
        }
    }

    private mutating func apply(_ event: NGHTTP2Session.Event, now: HTTPInstant) {
        switch event {
        case .headers(let id, let fields, .head):
            guard streams[id] != nil, !streams[id]!.headDelivered else { return }
            do {
                let head = try HTTP2Fields.responseHead(fields)
                if head.status.kind == .informational { return } // 1xx: wait for the final head
                streams[id]!.headDelivered = true
                streams[id]!.deadline = nil
                streams[id]!.head.resume(returning: head)
            } catch {
                session.reset(stream: id, code: HTTP2ErrorCode.protocolError.rawValue)
                streams[id]!.fail(error)
            }
        case .headers(let id, let fields, .trailers):
            streams[id]?.trailers = HTTP2Fields.trailers(fields)
        case .data(let id, let bytes):
            guard streams[id] != nil else {
                session.consume(bytes.count, stream: id) // a stream we let go of: keep the window open
                return
            }
            streams[id]!.chunks.append(bytes)
            streams[id]!.wakeReaders()
        case .endStream(let id):
            streams[id]?.ended = true
            streams[id]?.wakeReaders()
        case .resetByPeer(let id, let code):
            streams[id]?.resetByPeer = code
        case .closed(let id, let code):
            streamClosed(id, code: code, now: now)
        case .goaway(let lastStreamID, let code, let debug):
            let failure = HTTP2Failure(errorCode: HTTP2ErrorCode(code), initiator: .remotePeer, debugData: String(decoding: debug, as: UTF8.self))
            goAway = (lastStreamID, failure)
            for ticket in machine.drain() { slotWaiters.removeValue(forKey: ticket)?.resume(throwing: Self.goAwayError(failure)) }
        case .pingAck(let opaque):
            if let ping = pings.removeValue(forKey: opaque) { ping.waiter.resume(returning: ping.sentAt.duration(to: now)) }
        case .settings:
            for ticket in machine.peerLimitChanged(Int(session.remoteMaxConcurrentStreams)) {
                slotWaiters.removeValue(forKey: ticket)?.resume(returning: ())
            }
        case .requestSent(let id):
            streams[id]?.trace?.record(.requestSent)
        case .goawaySent(let code):
            if !closing { sentGoAway = HTTP2Failure(errorCode: HTTP2ErrorCode(code), initiator: .library) }
        case .priorityUpdate:
            break // only servers act on these
        case .headerListTooLarge(let id):
            streams[id]?.fail(HTTPCoreError(
                .headTooLarge, "an HTTP/2 header list over maxHeaderListSize bytes",
                underlying: HTTP2Failure(errorCode: .internalError, initiator: .library)
            ))
        }
    }

    /// A connection error nghttp2 reported with GOAWAY once that GOAWAY is written (see
    /// `flush`); nil while the session goes on.
    func endedByConnectionError() -> HTTPCoreError? {
        guard closeError == nil, let sentGoAway, !session.isAlive else { return nil }
        return HTTPCoreError(.goAway, "HTTP/2 connection error: sent GOAWAY \(sentGoAway.errorCode)", underlying: sentGoAway)
    }

    private static func goAwayError(_ failure: HTTP2Failure) -> HTTPCoreError {
        HTTPCoreError(.goAway, "the server is closing the connection (GOAWAY \(failure.errorCode)); the request was not processed", processing: .notProcessed, underlying: failure)
    }

    private mutating func streamClosed(_ id: Int32, code: UInt32, now: HTTPInstant) {
        guard var state = streams[id] else { return }
        let errorCode = HTTP2ErrorCode(code)
        if state.error == nil, !(state.ended && code == 0) {
            if errorCode == .refusedStream, state.resetByPeer == nil, let goAway {
                // GOAWAY says the peer never processed this stream, but a head it already
                // sent proves otherwise: then a retry is not safe.
                state.fail(state.headDelivered
                    ? HTTPCoreError(.goAway, "the server went away (GOAWAY \(goAway.failure.errorCode)) in the middle of the response", underlying: goAway.failure)
                    : Self.goAwayError(goAway.failure))
            } else if let peerCode = state.resetByPeer {
                let failure = HTTP2Failure(errorCode: HTTP2ErrorCode(peerCode), initiator: .remotePeer)
                let processing: HTTPCoreError.Processing = failure.errorCode == .refusedStream ? .notProcessed : .unknown
                state.fail(HTTPCoreError(.streamReset, "the server reset the stream: \(failure.errorCode)", processing: processing, underlying: failure))
            } else if code != 0 {
                let failure = HTTP2Failure(errorCode: errorCode, initiator: .library)
                state.fail(HTTPCoreError(.streamReset, "the stream was reset because the response broke HTTP/2: \(errorCode)", underlying: failure))
            } else {
                state.fail(HTTPCoreError(.truncatedResponse, "the HTTP/2 stream closed before the response ended"))
            }
        }
        state.wakeReaders()
        if state.holdsSlot {
            state.holdsSlot = false
            releaseSlot(now: now)
        }
        // Keep the stream until its consumer takes the end, unless nobody will read it.
        let forget = (state.consumerDone && state.error == nil) || (state.error != nil && !state.headDelivered)
        streams[id] = forget ? nil : state
    }

    mutating func releaseSlot(now: HTTPInstant) {
        for ticket in machine.releaseSlot(now: now) { slotWaiters.removeValue(forKey: ticket)?.resume(returning: ()) }
    }

    /// See `HTTP2Connection.cancelStream`. True if a reset was queued.
    mutating func cancel(_ id: Int32, now: HTTPInstant, error: HTTPCoreError? = nil) -> Bool {
        guard var state = streams.removeValue(forKey: id) else { return false }
        let wasOpen = state.holdsSlot
        state.fail(error ?? HTTPCoreError(.cancelled, "the request was cancelled", underlying: HTTP2Failure(errorCode: .cancel, initiator: .localUser)))
        if wasOpen { session.reset(stream: id, code: HTTP2ErrorCode.cancel.rawValue) }
        if wasOpen { releaseSlot(now: now) }
        // A body consumer still reading (a timeout, not its own cancellation) must find the error.
        if error != nil, state.headDelivered {
            state.holdsSlot = false
            state.consumerDone = true
            streams[id] = state
        }
        return wasOpen
    }

    /// Fails everything; false if the connection had already failed.
    mutating func fail(_ error: HTTPCoreError, now: HTTPInstant) -> Bool {
        guard closeError == nil else { return false }
        closeError = error
        for ticket in machine.close() {
            slotWaiters.removeValue(forKey: ticket)?.resume(throwing: error.with(processing: .notProcessed))
        }
        for (id, var state) in streams {
            let notStarted = !state.headDelivered && (goAway.map { id > $0.lastStreamID } ?? false)
            state.fail(notStarted ? error.with(processing: .notProcessed) : error)
            streams[id] = state
        }
        for (_, ping) in pings { ping.waiter.resume(throwing: error) }
        pings = [:]
        timerWaiter?.resume(returning: ())
        timerWaiter = nil
        return true
    }
}
