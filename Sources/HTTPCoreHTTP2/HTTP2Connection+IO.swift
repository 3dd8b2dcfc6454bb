import HTTPCore

extension HTTP2Connection {
    /// Reads frames until the connection ends: nghttp2 parses them, the machine applies
    /// what they did, and the shell runs its actions.
    func readLoop() async {
        while true {
            let bytes: [UInt8]?
            do {
                bytes = try await stream.read(maxBytes: 64 << 10, deadline: nil)
            } catch {
                await shutDown(HTTPCoreError.from(error, default: .readFailed))
                return
            }
            guard let bytes else {
                await shutDown(HTTPCoreError(.connectionClosed, "the peer closed the connection"), peerClosed: true)
                return
            }
            var followUp = FollowUp()
            state.withLock { state in
                let now = clock.now
                state.machine.bytesReceived(now: now)
                if let failure = state.session.receive(bytes, into: &state.events) {
                    followUp.close = HTTP2StateMachine.inputRejected(failure)
                } else {
                    if configuration.frameObserver != nil { followUp.frames += state.events.map(HTTP2FrameEvent.init) }
                    for event in state.events { state.apply(state.machine.receive(event, now: now), into: &followUp) }
                    state.apply(state.machine.inputProcessed(sessionAlive: state.session.isAlive), into: &followUp)
                }
                state.events.removeAll(keepingCapacity: true)
            }
            followUp.run()
            report(followUp.frames)
            notifyObserver()
            await flush()
            if let error = followUp.close {
                await shutDown(error)
                return
            }
        }
    }

    /// Writes whatever nghttp2 has framed. One flusher at a time; a caller that finds one
    /// running leaves its frames to it (the running flusher looks again before it stops).
    /// Returns whether this call wrote anything.
    @discardableResult
    func flush() async -> Bool {
        var output: [UInt8] = []
        guard takeOutput(first: true, into: &output) else { return false }
        repeat {
            do {
                try await write(output)
            } catch {
                state.withLock { $0.flushing = false }
                await shutDown(HTTPCoreError.from(error, default: .writeFailed))
                return true
            }
            // Written: the stream let go of the bytes, so the storage is ours again.
            output.removeAll(keepingCapacity: true)
        } while takeOutput(first: false, into: &output)
        // nghttp2 found a connection error while parsing and its GOAWAY is now written (by
        // this flusher, so not still in flight): the session wants nothing more, and a
        // hostile peer need not close, so we do.
        let ended = state.withLock { $0.machine.endedByConnectionError(sessionAlive: $0.session.isAlive) }
        if let ended { await shutDown(ended) }
        return true
    }

    /// Writes framed output. A server bounds each piece of at most `timedPiece` bytes by
    /// `flushTimeout`, so the bound is on a client making no progress, not on how long a
    /// large output takes over a slow link.
    private func write(_ output: [UInt8]) async throws {
        guard let timeout = flushTimeout else { return try await stream.write(output, deadline: nil) }
        guard output.count > Self.timedPiece else { return try await stream.write(output, deadline: clock.now + timeout) }
        var start = 0
        while start < output.count {
            let end = min(start + Self.timedPiece, output.count)
            try await stream.write(Array(output[start..<end]), deadline: clock.now + timeout)
            start = end
        }
    }

    static let timedPiece = 256 << 10

    /// Writes everything nghttp2 has queued, waiting for a flusher already at work: a
    /// close after it loses no frame (nghttp2 sends its GOAWAY ahead of queued HEADERS and
    /// DATA). Returns when nothing more can go (what flow control holds stays).
    func flushAll() async {
        while true {
            let wrote = await flush()
            let waiter = state.withLock { state -> Waiter<Void>? in
                guard state.machine.closeError == nil, state.flushing else { return nil }
                let waiter = Waiter<Void>()
                state.flushedWaiters.append(waiter)
                return waiter
            }
            if let waiter {
                _ = try? await waiter.wait()
                continue
            }
            if !wrote { return }
        }
    }

    /// Frames to write into `output` (empty on entry); false when there are none (the
    /// flusher role is then released, and the storage kept for the next flusher).
    /// Framing reports events too (a stream closed by our RST_STREAM or END_STREAM, body
    /// bytes leaving the upload queue, GOAWAY sent): they go through the machine now.
    private func takeOutput(first: Bool, into output: inout [UInt8]) -> Bool {
        var followUp = FollowUp()
        let framed = state.withLock { state -> Bool in
            if first {
                guard !state.flushing, state.machine.closeError == nil else { return false }
                state.flushing = true
                swap(&output, &state.spareOutput)
            }
            let failed = state.session.takeOutput(into: &output) != nil
            let now = clock.now
            state.session.takeEvents(into: &state.events)
            if configuration.frameObserver != nil { followUp.frames += state.events.map(HTTP2FrameEvent.init) }
            for event in state.events { state.apply(state.machine.receive(event, now: now), into: &followUp) }
            state.events.removeAll(keepingCapacity: true)
            if !failed, !output.isEmpty {
                state.machine.socketWriteSince = now
                return true
            }
            state.machine.socketWriteSince = nil
            state.flushing = false
            output.removeAll(keepingCapacity: true)
            swap(&output, &state.spareOutput)
            followUp.wake += state.flushedWaiters
            state.flushedWaiters = []
            return false
        }
        followUp.run()
        report(followUp.frames)
        if let error = followUp.close {
            Task(executorPreference: stream.preferredTaskExecutor) { await self.shutDown(error) }
        } else if !framed, followUp.flush {
            scheduleFlush() // the events queued frames after this flusher let go
        }
        return framed
    }

    /// Flushes soon, from a task of its own, so frames submitted meanwhile (a burst of
    /// requests on the loop) leave in one write instead of one write each.
    func scheduleFlush() {
        let start = state.withLock { state -> Bool in
            guard !state.flushScheduled else { return false }
            state.flushScheduled = true
            return true
        }
        guard start else { return }
        Task(executorPreference: stream.preferredTaskExecutor) {
            self.state.withLock { $0.flushScheduled = false }
            await self.flush()
        }
    }

    /// Flushes for an application task and waits until it is done. The writing happens in
    /// a task of its own: a stream abandons the write of a task cancelled meanwhile (its
    /// contract), and a frame cut short breaks every stream of the connection. (A version
    /// that wrote from the sending task itself failed the pool's cancellation stress test:
    /// bodies ended early on other streams.)
    func flushFromCaller() async {
        _ = await Task(executorPreference: stream.preferredTaskExecutor) { await self.flush() }.value
    }

    /// Ends the connection: every waiter fails with `error` (not processed where the
    /// stream never started), and the stream closes.
    func shutDown(_ error: HTTPCoreError, peerClosed: Bool = false) async {
        var followUp = FollowUp()
        let first = state.withLock { state -> Bool in
            guard let actions = state.machine.fail(error, peerClosed: peerClosed) else { return false }
            state.apply(actions, into: &followUp)
            // Wake the timer so it sees the end, and stop every upload still running.
            if let waiter = state.timerWaiter {
                state.timerWaiter = nil
                followUp.wake.append(waiter)
            }
            followUp.stop += state.uploads.values
            state.uploads = [:]
            followUp.wake += state.flushedWaiters
            state.flushedWaiters = []
            return true
        }
        guard first else { return }
        followUp.run()
        notifyObserver()
        await stream.close(.graceful)
    }

    /// Forgets stream `id` at once (cancellation, a dropped body): RST_STREAM(CANCEL) and
    /// its slot to the next waiter. Safe to call from a cancellation handler.
    func cancelStream(_ id: Int32, _ ending: HTTP2StateMachine.Ending = .abandoned, code: HTTP2ErrorCode = .cancel) {
        withStateNow { state, followUp in
            state.apply(state.machine.cancel(id, ending, code: code, now: clock.now), into: &followUp)
        }
    }

    /// Tells the frame observer what the last batch of frames did, outside the lock.
    private func report(_ frames: [HTTP2FrameEvent]) {
        guard let observer = configuration.frameObserver else { return }
        for frame in frames { observer(frame) }
    }
}
