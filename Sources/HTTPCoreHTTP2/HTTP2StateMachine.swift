import HTTPCore

/// The logic of one HTTP/2 connection, for either role, as a value type: every nghttp2
/// event, application call and timer is a method that updates the state and returns
/// `Action`s. It never awaits, never calls nghttp2 and never resumes a continuation; the
/// shell (`HTTP2Connection`, and the server's connection) owns the nghttp2 session, the
/// waiters and the I/O, and runs the actions. So every ordering (a reset while a read
/// waits, GOAWAY while a slot waits, a window update after a cancel, a deadline while
/// uploading) can be driven by a test one event per line.
///
/// nghttp2 validates the frames and keeps the flow-control windows; this machine keeps what
/// the application sees: the streams (`HTTP2StreamState`, with RFC 9113's §5.1 diagram),
/// the stream slots against the peer's limit (`HTTP2StreamSlots`), deadlines, PINGs and the
/// round-trip time, GOAWAY either way, and the connection's failure.
///
/// Events (see `HTTP2StateMachine+Events.swift`, `+Streams.swift`, `+Timers.swift`):
///
/// | input | what changes | actions |
/// |---|---|---|
/// | `requestSlot` | a slot taken or a ticket queued (FIFO) | — |
/// | `streamOpened` | a stream holding a slot; deadlines armed | `rescheduleTimer` |
/// | `headers(.head)` | client: the response head (1xx skipped); server: a new stream, queued for `takeIncoming` | `wakeHead` / `wakeIncoming`; `reset` if malformed |
/// | `data` | bytes buffered | `wakeData`; `consume` for a stream let go |
/// | `endStream` / `headers(.trailers)` | the peer's side ended / trailers kept | `wakeData` |
/// | `bodyFramed` | upload queue drains | `wakeRoom` below `uploadBuffer` |
/// | `endStreamSent` | our side ended | `record(.requestSent)` |
/// | `resetByPeer`, `closed` | the stream fails or ends; slot released | `wake*`, `stopUpload`, `resumeSlot` |
/// | `goaway` | draining; queued slot waiters fail | `resumeSlot(error)` |
/// | `settings` | peer limit; queued waiters granted | `resumeSlot` |
/// | `settingsAcknowledged`, `pingAck` | round-trip time | `resumePing` |
/// | `read`, `takeHead`, `send` | application takes or queues bytes | `consume`, or a wait flag set |
/// | `cancel`, `reset`, `uploadFailed` | the stream fails and is forgotten | `reset`, `stopUpload`, `resumeSlot` |
/// | `timerFired` | overdue waits fail; a silent peer ends the connection | `reset`, `wake*`, `closeConnection` |
/// | `fail` | everything fails | `resume*`, `wake*`, `stopUpload` |
struct HTTP2StateMachine {
    enum Role: Equatable { case client, server }

    enum Action {
        /// nghttp2 work: the shell runs these at once, in order, under the same lock.
        case reset(stream: Int32, code: HTTP2ErrorCode)
        /// The application took `count` bytes of `stream`: reopen the windows.
        case consume(stream: Int32, count: Int)
        case sendPing(opaque: UInt64)

        /// Wake-ups: the shell runs these after the lock. A woken task asks the machine
        /// again (`takeHead`, `read`, `room`), so the outcome lives here, not in the action.
        case wakeHead(stream: Int32)
        case wakeData(stream: Int32)
        case wakeRoom(stream: Int32)
        case wakeIncoming
        case resumeSlot(ticket: Int, error: HTTPCoreError?)
        case resumePing(opaque: UInt64, result: Result<Duration, HTTPCoreError>)
        /// Cancel the task that feeds `stream`'s request body: the stream ended early.
        case stopUpload(stream: Int32)
        /// A deadline earlier than the timer's target appeared.
        case rescheduleTimer
        /// Tell the request's trace that its last frame went out.
        /// The request's last byte went out: `.requestSent` for its trace (the machine
        /// only names it; the connection records it outside its lock).
        case recordRequestSent(RequestTrace, bodyBytes: Int64, at: HTTPInstant)
        /// End the connection with `error` (then `fail` runs).
        case closeConnection(HTTPCoreError)
    }

    let role: Role
    var slots: HTTP2StreamSlots
    var streams = HTTP2StreamTable()
    /// Server role: streams the peer opened whose heads `takeIncoming` has not handed out.
    var incoming: [Int32] = []
    var goAway: (lastStreamID: Int32, failure: HTTP2Failure)?
    /// The GOAWAY nghttp2 wrote for a connection error it found, if any.
    var sentGoAway: HTTP2Failure?
    /// `close()` was called: its GOAWAY is not an error.
    var closing = false
    var closeError: HTTPCoreError?
    /// When the socket write in progress began (nil when none is): a stream's write
    /// timeout that passes while one write has waited that long is the socket's, not flow
    /// control's, and ends the connection (see `timerFired`).
    var socketWriteSince: HTTPInstant?
    /// When the peer last sent anything: proof of liveness for `waitFunctional`.
    var lastActivity: HTTPInstant
    /// The latest round-trip time: the SETTINGS acknowledgement, then each PING.
    var roundTrip: Duration?
    /// When our SETTINGS left (at start), to time their acknowledgement.
    var settingsSentAt: HTTPInstant?
    var pings: [UInt64: HTTPInstant] = [:]
    var nextPing: UInt64 = 0
    /// The PING `waitFunctional` sent, and when the connection is dead without its ACK.
    var functionalPing: (opaque: UInt64, deadline: HTTPInstant)?
    /// A stream timed out reading or writing and `functionalPing` checks whether the peer
    /// is still there: until its ACK the connection takes no new streams (the observer
    /// hears a request limit of 0), and without it the connection ends at the PING's
    /// deadline. OkHttp's "degraded" connection; without it the pool handed the next
    /// request to a connection whose peer had vanished, and it timed out again.
    var awaitingLiveness = false
    /// What the shell's timer sleeps until (nil: no deadline).
    var timerTarget: HTTPInstant?
    /// A request body's sender waits while more than this is queued and unframed.
    let uploadBuffer: Int
    /// Server role: the timeouts every stream the peer opens gets (its body reads and our
    /// writes of the response).
    var incomingOptions = StreamOptions()
    /// Liveness proven this recently needs no PING; a PING unanswered this long ends
    /// the connection.
    let functionalTimeout: Duration
    /// How long the PING `waitFunctional` sends may go unanswered before the connection is
    /// declared dead.
    let pingTimeout: Duration

    init(
        role: Role, now: HTTPInstant, assumedPeerLimit: Int = 100, uploadBuffer: Int = 256 << 10,
        functionalTimeout: Duration = .seconds(2), pingTimeout: Duration = .seconds(10)
    ) {
        self.role = role
        slots = HTTP2StreamSlots(now: now, assumedPeerLimit: assumedPeerLimit)
        lastActivity = now
        settingsSentAt = now
        self.uploadBuffer = uploadBuffer
        self.functionalTimeout = functionalTimeout
        self.pingTimeout = pingTimeout
    }

    // MARK: - Slots

    /// A request wants a stream (FIFO: a newcomer never overtakes a waiter).
    mutating func requestSlot() -> HTTP2StreamSlots.SlotAction { slots.requestSlot() }

    /// A queued request went away; false if it had already been granted a slot.
    mutating func cancelSlotWait(ticket: Int) -> Bool { slots.cancelWait(ticket: ticket) }

    /// Why no new stream can start, once the connection drains or ended.
    var unavailableError: HTTPCoreError {
        let error = closeError ?? goAway.map { _ in HTTPCoreError(.goAway, "the connection is draining after GOAWAY") }
            ?? HTTPCoreError(.connectionUnavailable, "the connection takes no new streams")
        return error.with(processing: .notProcessed)
    }

    mutating func releaseSlot(now: HTTPInstant) -> [Action] {
        slots.releaseSlot(now: now).map { .resumeSlot(ticket: $0, error: nil) }
    }

    // MARK: - Connection

    /// Server role, graceful shutdown: our GOAWAY went out; streams already open finish,
    /// and `receiveRequest` ends once they are handed out.
    mutating func drainRequested() -> Bool {
        guard role == .server, slots.phase == .active else { return false }
        closing = true
        _ = slots.drain()
        return true
    }

    /// `close()`: our GOAWAY is on its way and is no error.
    mutating func closeRequested() -> Bool {
        guard slots.phase != .closed else { return false }
        closing = true
        return true
    }

    /// Fails everything with `error` (not processed where the stream never started);
    /// nil if the connection had already failed. With `peerClosed` (the peer's FIN ended
    /// the connection), a response cut off after its head is `.truncatedResponse`, as
    /// over HTTP/1.1: the peer broke off a message it had begun.
    mutating func fail(_ error: HTTPCoreError, peerClosed: Bool = false) -> [Action]? {
        guard closeError == nil else { return nil }
        closeError = error
        var actions = slots.close().map { Action.resumeSlot(ticket: $0, error: error.with(processing: .notProcessed)) }
        for id in streams.keys.sorted() {
            guard let stream = streams[id] else { continue }
            if peerClosed, role == .client, stream.head != nil, !stream.remoteEnded {
                // Not `continue`: the wire is done for this stream too (below). Skipping
                // that left a truncated stream in the table for good once its reader took
                // the error (the h2-client fuzz target found it, in 3 of 25 replays).
                actions += failStream(id, HTTPCoreError(.truncatedResponse, "the peer closed the connection in the middle of the response body", underlying: error))
            } else {
                let notStarted = stream.head == nil && (goAway.map { id > $0.lastStreamID } ?? false)
                actions += failStream(id, notStarted ? error.with(processing: .notProcessed) : error)
            }
            // No frame will come or go on any stream now, so each stream's wire is done: one
            // the application already let go of would otherwise stay in the table for good
            // (the h2-client fuzz target found it: the response read to its end before our
            // END_STREAM left, then the connection closed).
            if let index = streams.index(forKey: id) {
                streams.values[index].wireClosed = true
                if streams.values[index].consumerDone {
                    streams.remove(at: index)
                    removeIncoming(id)
                }
            }
        }
        for opaque in pings.keys.sorted() { actions.append(.resumePing(opaque: opaque, result: .failure(error))) }
        pings = [:]
        functionalPing = nil
        if role == .server { actions.append(.wakeIncoming) }
        return actions
    }

    /// A connection error nghttp2 reported with GOAWAY, once that GOAWAY is written; nil
    /// while the session goes on.
    func endedByConnectionError(sessionAlive: Bool) -> HTTPCoreError? {
        guard closeError == nil, let sentGoAway, !sessionAlive else { return nil }
        return HTTPCoreError(.goAway, "HTTP/2 connection error: sent GOAWAY \(sentGoAway.errorCode)", underlying: sentGoAway)
    }

    // MARK: - Liveness

    /// Sends a PING; its ACK resumes `opaque`'s waiters with the round-trip time.
    mutating func ping(now: HTTPInstant) -> Result<UInt64, HTTPCoreError> {
        if let closeError { return .failure(closeError) }
        nextPing += 1
        pings[nextPing] = now
        return .success(nextPing)
    }

    /// A PING's waiter went away.
    mutating func pingAbandoned(_ opaque: UInt64) {
        if functionalPing?.opaque != opaque { pings[opaque] = nil }
    }

    enum FunctionalStep {
        /// Liveness was proven within `functionalTimeout`: the latest round-trip time.
        case functional(Duration)
        /// Wait for PING `opaque` (sent now when `send`, else already in flight).
        case awaitPing(opaque: UInt64, send: Bool)
        case failed(HTTPCoreError)
    }

    /// aioh2's tickless health check: a PING only when no frame proved the peer alive
    /// within `functionalTimeout`; a PING unanswered for `pingTimeout` ends the connection.
    mutating func waitFunctional(now: HTTPInstant) -> FunctionalStep {
        if let closeError { return .failed(closeError) }
        if let roundTrip, lastActivity + functionalTimeout > now { return .functional(roundTrip) }
        if let functionalPing { return .awaitPing(opaque: functionalPing.opaque, send: false) }
        nextPing += 1
        pings[nextPing] = now
        functionalPing = (nextPing, now + pingTimeout)
        return .awaitPing(opaque: nextPing, send: true)
    }
}
