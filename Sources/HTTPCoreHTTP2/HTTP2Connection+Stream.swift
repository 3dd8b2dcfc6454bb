import HTTPCore
import HTTPTypes

/// The stream primitives both `send` and the public stream API are made of. Each asks the
/// machine under the lock; a `.wait` registers a waiter in the same critical section, so
/// no wake-up can fall between the answer and the sleep.
extension HTTP2Connection {
    /// What the request body is when the stream opens.
    enum OpeningBody {
        /// END_STREAM on the HEADERS frame.
        case none
        /// Queued whole, then the end (with trailers if any).
        case bytes([UInt8], trailers: HTTP2HeaderList?)
        /// Fed by `upload` in a task of its own (full duplex).
        case streamed(RequestBody, trailers: HTTP2HeaderList?)
        /// The application sends DATA itself (the stream API).
        case open
    }

    /// Waits (FIFO) for a stream slot, until `deadline` at most (then `.totalTimeout`).
    func acquireSlot(deadline: HTTPInstant?) async throws {
        let (action, waiter) = state.withLock { state -> (HTTP2StreamSlots.SlotAction, Waiter<Void>?) in
            let action = state.machine.requestSlot()
            guard case .wait(let ticket) = action else { return (action, nil) }
            let waiter = Waiter<Void>()
            state.slotWaiters[ticket] = waiter
            return (action, waiter)
        }
        switch action {
        case .proceed:
            return
        case .unavailable:
            throw state.withLock { $0.machine.unavailableError }
        case .wait(let ticket):
            let leave: @Sendable () -> Void = { [state] in
                state.withLock { state in
                    if state.machine.cancelSlotWait(ticket: ticket) { state.slotWaiters[ticket] = nil }
                }
            }
            // Waiting for a slot is rare (the pool assigns up to the peer's limit), so a
            // request that must wait with a deadline gets a timer task of its own.
            let timer = deadline.map { deadline in
                Task { [clock, waiter] in
                    guard (try? await clock.sleep(until: deadline)) != nil else { return }
                    if waiter!.resume(throwing: HTTPCoreError(.totalTimeout, "no HTTP/2 stream slot before the total deadline")) { leave() }
                }
            }
            defer { timer?.cancel() }
            do {
                try await waiter!.wait(onCancel: leave)
            } catch {
                throw HTTPCoreError.from(error, default: .connectionUnavailable).with(processing: .notProcessed)
            }
        }
    }

    /// Submits HEADERS on a new stream with the slot `acquireSlot` gave. A streamed body
    /// starts uploading at once, beside whatever the caller awaits next.
    func openStream(_ fields: HTTP2HeaderList, body: OpeningBody, options: HTTP2StateMachine.StreamOptions) throws(HTTPCoreError) -> Int32 {
        var followUp = FollowUp()
        let result = state.withLock { state -> Result<Int32, HTTPCoreError> in
            let now = clock.now
            if state.machine.role == .server {
                state.apply(state.machine.openFailed(now: now), into: &followUp)
                return .failure(HTTPCoreError(.invalidRequest, "a server's connection opens no streams (push is off)", processing: .notProcessed))
            }
            if let error = state.machine.closeError {
                state.apply(state.machine.openFailed(now: now), into: &followUp)
                return .failure(error.with(processing: .notProcessed))
            }
            let endStream = if case .none = body { true } else { false }
            switch state.session.submitRequest(fields, hasBody: !endStream) {
            case .failure(let failure):
                state.apply(state.machine.openFailed(now: now), into: &followUp)
                return .failure(HTTPCoreError(.invalidRequest, "nghttp2 refused the request: \(failure)", processing: .notProcessed))
            case .success(let id):
                // Under the lock, so no flush of this stream's END_STREAM (`.requestSent`)
                // can be recorded before it.
                options.trace?.record(.requestHeadSent, at: now)
                let (localFinished, uploading): (Bool, Bool) = switch body {
                case .none, .bytes: (true, false)
                case .streamed: (false, true)
                case .open: (false, false)
                }
                state.apply(state.machine.streamOpened(id, options: options, localFinished: localFinished, uploading: uploading, now: now), into: &followUp)
                switch body {
                case .bytes(let bytes, let trailers):
                    state.session.append(bytes, stream: id)
                    state.session.finish(stream: id, trailers: trailers)
                    // Counted as queued so the machine sees the bytes leave (`bodyFramed`).
                    state.machine.streams[id]?.queuedBytes = bytes.count
                case .streamed(let requestBody, let trailers):
                    state.uploads[id] = Task(executorPreference: stream.preferredTaskExecutor) {
                        await self.upload(requestBody, trailers: trailers, stream: id)
                    }
                case .none, .open:
                    break
                }
                return .success(id)
            }
        }
        followUp.run()
        return try result.get()
    }

    /// Waits for the peer's final head on stream `id`. A cancelled wait resets the stream.
    func awaitHead(_ id: Int32) async throws -> HTTP2StreamState.Head {
        while true {
            let (step, waiter) = state.withLock { state -> (HTTP2StateMachine.HeadStep, Waiter<Void>?) in
                let step = state.machine.takeHead(id)
                guard case .wait = step else { return (step, nil) }
                let waiter = Waiter<Void>()
                state.headWaiters[id] = waiter
                return (step, waiter)
            }
            switch step {
            case .ready(let head): return head
            case .failed(let error): throw error
            case .wait: try await waiter!.wait { [weak self] in self?.cancelStream(id) }
            }
        }
    }

    enum ReadResult {
        case data([UInt8])
        case end(HTTPFields?)
    }

    /// The next piece of the peer's body on stream `id` (at most `maxBytes`), or its end
    /// with trailers. Taking bytes reopens the windows. A cancelled wait resets the stream.
    func readChunk(_ id: Int32, maxBytes: Int) async throws -> ReadResult {
        while true {
            var followUp = FollowUp()
            let (step, waiter) = state.withLock { state -> (HTTP2StateMachine.ReadStep, Waiter<Void>?) in
                let (step, actions) = state.machine.read(id, maxBytes: maxBytes, now: clock.now)
                state.apply(actions, into: &followUp)
                guard case .wait = step else { return (step, nil) }
                let waiter = Waiter<Void>()
                state.dataWaiters[id] = waiter
                return (step, waiter)
            }
            followUp.run()
            if followUp.flush { scheduleFlush() }
            switch step {
            case .data(let bytes): return .data(bytes)
            case .end(let trailers): return .end(trailers)
            case .failed(let error): throw error
            case .wait: try await waiter!.wait { [weak self] in self?.cancelStream(id) }
            }
        }
    }

    /// Queues `bytes` (and the end, with `trailers`, when `end`) on stream `id`, then
    /// waits while more than `uploadBuffer` bytes are still unframed (flow control). False
    /// when the peer closed the stream after a complete answer: stop sending, no error.
    /// `cancelResets`: a cancelled wait resets the stream (the application's own call);
    /// the upload task is cancelled only by the stream's end, which needs no reset.
    func write(_ id: Int32, _ bytes: [UInt8], end: Bool, trailers: HTTP2HeaderList?, cancelResets: Bool) async throws -> Bool {
        var followUp = FollowUp()
        let (step, waiter) = state.withLock { state -> (HTTP2StateMachine.SendStep, Waiter<Void>?) in
            let (step, actions) = state.machine.send(id, count: bytes.count, end: end, now: clock.now)
            state.apply(actions, into: &followUp)
            guard case .queue(let wait) = step else { return (step, nil) }
            state.session.append(bytes, stream: id)
            if end { state.session.finish(stream: id, trailers: trailers) }
            guard wait else { return (step, nil) }
            let waiter = Waiter<Void>()
            state.roomWaiters[id] = waiter
            return (step, waiter)
        }
        followUp.run()
        switch step {
        case .stopped: return false
        case .failed(let error): throw error
        case .queue:
            // Without a wait, the frames leave with whatever else is submitted meanwhile (a
            // server answering 100 streams writes once, not once a stream); a sender that
            // must wait for room flushes now, since the room comes from these frames leaving.
            if waiter == nil { scheduleFlush() } else { await flushFromCaller() }
        }
        guard var waiter else { return true }
        let onCancel: @Sendable () -> Void = { [weak self] in if cancelResets { self?.cancelStream(id) } }
        while true {
            try await waiter.wait(onCancel: onCancel)
            let (room, next) = state.withLock { state -> (HTTP2StateMachine.RoomStep, Waiter<Void>?) in
                let room = state.machine.room(id)
                guard case .wait = room else { return (room, nil) }
                let waiter = Waiter<Void>()
                state.roomWaiters[id] = waiter
                return (room, waiter)
            }
            switch room {
            case .ready: return true
            case .stopped: return false
            case .failed(let error): throw error
            case .wait: waiter = next!
            }
        }
    }

    /// Feeds a streamed request body (full duplex: `send` has returned at the response
    /// head, or still waits for it). Stops quietly when the stream ends under it (an early
    /// complete response, a reset, the connection's end: the task is cancelled then);
    /// a body that throws or breaks its declared length resets the stream, and whoever
    /// reads it gets the error.
    func upload(_ body: RequestBody, trailers: HTTP2HeaderList?, stream id: Int32) async {
        let length = body.knownLength
        var sent = 0
        do {
            let source = body.makeChunkSource()
            while let chunk = try await Self.nextChunk(source) {
                if Task.isCancelled { return }
                sent += chunk.count
                if let length, sent > length { break }
                guard try await write(id, chunk, end: false, trailers: nil, cancelResets: false) else { return uploadStopped(id) }
            }
            if Task.isCancelled { return }
            if let length, sent != length {
                throw HTTPCoreError(.requestBodyLengthMismatch, "the body declared \(length) bytes and delivered \(sent)")
            }
            _ = try await write(id, [], end: true, trailers: trailers, cancelResets: false)
            uploadStopped(id)
        } catch {
            if Task.isCancelled { return }
            let failure = HTTPCoreError.from(error, default: .readFailed)
            withStateNow { state, followUp in
                state.uploads[id] = nil
                state.apply(state.machine.uploadFailed(id, failure, now: clock.now), into: &followUp)
            }
        }
    }

    /// The body's next chunk; what it throws is `.requestBodyUnreadable` unless typed
    /// already (as over HTTP/1.1).
    private static func nextChunk(_ source: ChunkSource) async throws -> [UInt8]? {
        do {
            return try await source.next()
        } catch {
            throw HTTPCoreError.from(error, default: .requestBodyUnreadable)
        }
    }

    private func uploadStopped(_ id: Int32) {
        state.withLock { state in
            state.uploads[id] = nil
            state.machine.uploadEnded(id)
        }
    }
}
