import HTTPCore
import HTTPTypes

extension HTTP2Connection {
    /// Everything mutable, behind one lock: the machine that decides, the nghttp2 session
    /// that frames, and the waiters the machine's wake-ups name.
    struct State {
        var machine: HTTP2StateMachine
        let session: NGHTTP2Session
        var headWaiters: [Int32: Waiter<Void>] = [:]
        var dataWaiters: [Int32: Waiter<Void>] = [:]
        var roomWaiters: [Int32: Waiter<Void>] = [:]
        var slotWaiters: [Int: Waiter<Void>] = [:]
        var pingWaiters: [UInt64: [Waiter<Duration>]] = [:]
        /// The tasks feeding streamed request bodies (full duplex: they outlive `send`).
        var uploads: [Int32: Task<Void, Never>] = [:]
        /// The timer task's wake-up (see +Timeouts).
        var timerWaiter: Waiter<Void>?
        /// Server role: who waits in `receiveRequest` for the next stream.
        var incomingWaiter: Waiter<Void>?
        var flushing = false
        var flushScheduled = false
        /// `flushAll` callers waiting for the flusher at work to finish.
        var flushedWaiters: [Waiter<Void>] = []
        /// nghttp2's events of one read or one flush, kept between them so steady traffic
        /// reuses its storage.
        var events: [NGHTTP2Session.Event] = []
        /// The flusher's output storage between flushes (one flusher at a time).
        var spareOutput: [UInt8] = []
        /// Stream API: trailers of streams whose end `readStream` took, until
        /// `receiveTrailers` asks (or `resetStream` forgets them).
        var endedStreams: [Int32: HTTPFields] = [:]

        /// Runs the machine's nghttp2 actions now, under the lock, and collects its
        /// wake-ups for `FollowUp.run` after the lock.
        mutating func apply(_ actions: [HTTP2StateMachine.Action], into followUp: inout FollowUp) {
            for action in actions {
                switch action {
                case .reset(let id, let code):
                    session.reset(stream: id, code: code.rawValue)
                    followUp.flush = true
                case .consume(let id, let count):
                    session.consume(count, stream: id)
                    // nghttp2 batches WINDOW_UPDATE to half a window: flush only when due.
                    if session.wantsWrite { followUp.flush = true }
                case .sendPing(let opaque):
                    session.ping(opaque: opaque)
                    followUp.flush = true
                case .wakeHead(let id):
                    if let waiter = headWaiters.removeValue(forKey: id) { followUp.wake.append(waiter) }
                case .wakeData(let id):
                    if let waiter = dataWaiters.removeValue(forKey: id) { followUp.wake.append(waiter) }
                case .wakeRoom(let id):
                    if let waiter = roomWaiters.removeValue(forKey: id) { followUp.wake.append(waiter) }
                case .wakeIncoming:
                    if let waiter = incomingWaiter {
                        incomingWaiter = nil
                        followUp.wake.append(waiter)
                    }
                case .resumeSlot(let ticket, let error):
                    if let waiter = slotWaiters.removeValue(forKey: ticket) { followUp.slots.append((waiter, error)) }
                case .resumePing(let opaque, let result):
                    for waiter in pingWaiters.removeValue(forKey: opaque) ?? [] { followUp.pings.append((waiter, result)) }
                case .stopUpload(let id):
                    if let task = uploads.removeValue(forKey: id) { followUp.stop.append(task) }
                case .rescheduleTimer:
                    if let waiter = timerWaiter {
                        timerWaiter = nil
                        followUp.wake.append(waiter)
                    }
                case .recordRequestSent(let trace, let bytes, let at):
                    followUp.traces.append((trace, bytes, at))
                case .closeConnection(let error):
                    if followUp.close == nil { followUp.close = error }
                }
            }
        }
    }

    /// What the actions leave for after the lock: resuming continuations and cancelling
    /// tasks never happen while it is held.
    struct FollowUp {
        var wake: [Waiter<Void>] = []
        var slots: [(Waiter<Void>, HTTPCoreError?)] = []
        var pings: [(Waiter<Duration>, Result<Duration, HTTPCoreError>)] = []
        var stop: [Task<Void, Never>] = []
        /// Frames for `Configuration.frameObserver` (only collected when one is set).
        var frames: [HTTP2FrameEvent] = []
        /// `.requestSent` for these traces: the body bytes framed, and when.
        var traces: [(RequestTrace, Int64, HTTPInstant)] = []
        /// Frames were queued (a reset, a window update, a PING).
        var flush = false
        /// The connection must end with this error.
        var close: HTTPCoreError?

        func run() {
            for waiter in wake { waiter.resume(returning: ()) }
            for (waiter, error) in slots {
                if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: ()) }
            }
            for (waiter, result) in pings { waiter.resume(with: result.mapError { $0 as any Error }) }
            for task in stop { task.cancel() }
            for (trace, bytes, at) in traces { trace.record(.requestSent(bodyBytes: bytes), at: at) }
        }
    }

    /// Runs `body` on the state under the lock, then the follow-up outside it: wake-ups,
    /// a flush when frames were queued, and the connection's end when the machine asked.
    @discardableResult
    func withState<R>(_ body: (inout State, inout FollowUp) throws(HTTPCoreError) -> R) async throws(HTTPCoreError) -> R {
        var followUp = FollowUp()
        let result = state.withLock { state -> Result<R, HTTPCoreError> in
            do throws(HTTPCoreError) { return .success(try body(&state, &followUp)) } catch { return .failure(error) }
        }
        await finish(followUp)
        return try result.get()
    }

    /// The synchronous variant, for cancellation handlers and other places that cannot
    /// await: the flush and a close run in a task of their own.
    func withStateNow<R>(_ body: (inout State, inout FollowUp) -> R) -> R {
        var followUp = FollowUp()
        let result = state.withLock { state in body(&state, &followUp) }
        followUp.run()
        if let error = followUp.close {
            Task(executorPreference: stream.preferredTaskExecutor) { await self.shutDown(error) }
        } else if followUp.flush {
            scheduleFlush()
        }
        return result
    }

    func finish(_ followUp: FollowUp) async {
        followUp.run()
        if let error = followUp.close {
            await flush()
            await shutDown(error)
        } else if followUp.flush {
            scheduleFlush()
        }
    }
}
