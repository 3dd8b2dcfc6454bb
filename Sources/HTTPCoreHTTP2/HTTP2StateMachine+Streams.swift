import HTTPCore
import HTTPTypes

extension HTTP2StateMachine {
    /// The timeouts and trace one stream carries (from the request's options).
    struct StreamOptions {
        var readTimeout: Duration?
        var writeTimeout: Duration?
        var totalDeadline: HTTPInstant?
        var trace: RequestTrace?
    }

    static func streamGone(_ id: Int32) -> HTTPCoreError {
        HTTPCoreError(.connectionClosed, "HTTP/2 stream \(id) is gone (reset, or its end was already read)")
    }

    // MARK: - Opening

    /// Stream `id`, submitted with the slot `requestSlot` gave, is on its way. When
    /// `localFinished`, the whole request is queued and the head's read timeout starts now;
    /// otherwise only the total deadline runs until the body is queued.
    mutating func streamOpened(_ id: Int32, options: StreamOptions, localFinished: Bool, uploading: Bool, now: HTTPInstant) -> [Action] {
        var state = HTTP2StreamState(holdsSlot: true)
        state.readTimeout = options.readTimeout
        state.writeTimeout = options.writeTimeout
        state.totalDeadline = options.totalDeadline
        state.trace = options.trace
        state.localFinished = localFinished
        state.uploading = uploading
        streams[id] = state
        return armRead(id, timeout: localFinished ? options.readTimeout : nil, now: now)
    }

    /// nghttp2 refused the stream: its slot goes to the next waiter.
    mutating func openFailed(now: HTTPInstant) -> [Action] {
        releaseSlot(now: now)
    }

    // MARK: - The peer's side

    enum HeadStep {
        case ready(HTTP2StreamState.Head)
        case failed(HTTPCoreError)
        /// Sleep until `wakeHead`, then ask again.
        case wait
    }

    mutating func takeHead(_ id: Int32) -> HeadStep {
        guard let index = streams.index(forKey: id) else { return .failed(Self.streamGone(id)) }
        if let head = streams.values[index].head {
            streams.values[index].headTaken = true
            return .ready(head)
        }
        if let error = streams.values[index].error {
            consumerFinished(at: index)
            return .failed(error)
        }
        streams.values[index].waitingForHead = true
        return .wait
    }

    enum ReadStep {
        case data([UInt8])
        case end(HTTPFields?)
        case failed(HTTPCoreError)
        /// Sleep until `wakeData`, then ask again.
        case wait
    }

    /// The application reads up to `maxBytes` of the peer's body. Taking bytes reopens the
    /// windows (`consume`), so the peer sends only as fast as the application reads.
    mutating func read(_ id: Int32, maxBytes: Int, now: HTTPInstant) -> (ReadStep, [Action]) {
        guard let index = streams.index(forKey: id) else { return (.failed(Self.streamGone(id)), []) }
        if streams.values[index].hasBufferedBody {
            // In place: the buffered chunks are never copied.
            let bytes = streams.values[index].take(maxBytes: maxBytes)
            streams.values[index].readDeadline = nil
            return (.data(bytes), [.consume(stream: id, count: bytes.count)])
        }
        // The peer's side ended cleanly: what it sent stands, whatever failed after (the
        // connection closing, our upload): the reader gets the end, not that error.
        if streams.values[index].remoteEnded {
            let trailers = streams.values[index].trailers
            consumerFinished(at: index)
            return (.end(trailers), [])
        }
        if let error = streams.values[index].error {
            consumerFinished(at: index)
            return (.failed(error), [])
        }
        streams.values[index].waitingForData = true
        guard streams.values[index].readDeadline == nil else { return (.wait, []) }
        return (.wait, armRead(id, timeout: streams.values[index].readTimeout, now: now))
    }

    /// The application is done with stream `id` (took its end or its error): forget it
    /// once the wire is done too, else when it closes.
    mutating func consumerFinished(_ id: Int32) {
        guard let index = streams.index(forKey: id) else { return }
        consumerFinished(at: index)
    }

    mutating func consumerFinished(at index: HTTP2StreamTable.Index) {
        streams.values[index].consumerDone = true
        if streams.values[index].wireClosed {
            let id = streams.keys[index]
            streams.remove(at: index)
            removeIncoming(id)
        }
    }

    /// Server role: the next stream the peer opened, in order.
    enum IncomingStep {
        case stream(Int32)
        case failed(HTTPCoreError)
        case wait
    }

    mutating func takeIncoming() -> IncomingStep {
        if !incoming.isEmpty { return .stream(incoming.removeFirst()) }
        if let closeError { return .failed(closeError) }
        if slots.phase != .active { return .failed(HTTPCoreError(.connectionClosed, "the connection is draining")) }
        return .wait
    }

    // MARK: - Our side

    /// Server role: the handler answers stream `id` (HEADERS with `:status`); DATA follows
    /// unless `endStream`. Fails when the stream is gone or already answered.
    mutating func startResponse(_ id: Int32, endStream: Bool) -> HTTPCoreError? {
        guard role == .server else { return HTTPCoreError(.invalidRequest, "only a server answers a stream") }
        guard let index = streams.index(forKey: id) else { return Self.streamGone(id) }
        if let error = streams.values[index].error { return error }
        if streams.values[index].wireClosed { return Self.streamGone(id) }
        guard !streams.values[index].responseStarted else {
            return HTTPCoreError(.invalidRequest, "stream \(id) was already answered")
        }
        streams.values[index].responseStarted = true
        streams.values[index].localFinished = endStream
        return nil
    }

    enum SendStep {
        /// Queue the bytes in nghttp2 now; when `wait`, sleep until `wakeRoom` and ask `room`.
        case queue(wait: Bool)
        /// The peer closed the stream after a complete answer: stop sending, no error.
        case stopped
        case failed(HTTPCoreError)
    }

    /// The application sends `count` body bytes on `id`, ending its side when `end`.
    mutating func send(_ id: Int32, count: Int, end: Bool, now: HTTPInstant) -> (SendStep, [Action]) {
        guard let index = streams.index(forKey: id) else { return (.failed(Self.streamGone(id)), []) }
        if let error = streams.values[index].error { return (.failed(error), []) }
        if streams.values[index].wireClosed { return (.stopped, []) }
        guard !streams.values[index].localFinished else {
            return (.failed(HTTPCoreError(.invalidRequest, "stream \(id) already ended its side")), [])
        }
        guard role == .client || streams.values[index].responseStarted else {
            return (.failed(HTTPCoreError(.invalidRequest, "stream \(id) needs its response head (startResponse) before DATA")), [])
        }
        streams.values[index].queuedBytes += count
        streams.values[index].localFinished = end
        let held = streams.values[index].writeDeadline == nil ? boundHeldBody(at: index, now: now) : []
        if end {
            // All queued: the wait for the head gets its read timeout from here.
            guard streams.values[index].head == nil else { return (.queue(wait: false), held) }
            return (.queue(wait: false), armRead(id, timeout: streams.values[index].readTimeout, now: now))
        }
        guard streams.values[index].queuedBytes >= uploadBuffer else { return (.queue(wait: false), held) }
        streams.values[index].waitingForRoom = true
        return (.queue(wait: true), armWrite(id, timeout: streams.values[index].writeTimeout, now: now))
    }

    enum RoomStep {
        case ready
        case stopped
        case failed(HTTPCoreError)
        case wait
    }

    /// After `wakeRoom`: may the sender go on?
    mutating func room(_ id: Int32) -> RoomStep {
        guard let index = streams.index(forKey: id) else { return .failed(Self.streamGone(id)) }
        if let error = streams.values[index].error { return .failed(error) }
        if streams.values[index].wireClosed { return .stopped }
        if streams.values[index].queuedBytes < uploadBuffer {
            if role == .client { streams.values[index].writeDeadline = nil } // the server's stays while bytes are held
            return .ready
        }
        streams.values[index].waitingForRoom = true
        return .wait
    }

    /// The upload task finished (or stopped) on its own.
    mutating func uploadEnded(_ id: Int32) {
        streams[id]?.uploading = false
    }

    // MARK: - Ending early

    /// How a stream ended early, for what is kept of it afterwards.
    enum Ending {
        /// A waiter on it was cancelled or its body dropped: nobody is left to tell.
        case abandoned
        /// The application reset it: waiters still waiting learn it (`.cancelled`).
        case reset
        /// A deadline passed or the upload failed: the stream stays until a reader has
        /// taken the error.
        case failed(HTTPCoreError)
    }

    /// The application let go of stream `id` (a cancelled task, a dropped body, a reset
    /// with `code`), or a deadline passed. Waiters fail; the peer gets RST_STREAM; the slot
    /// goes to the next waiter.
    mutating func cancel(_ id: Int32, _ ending: Ending = .abandoned, code: HTTP2ErrorCode = .cancel, now: HTTPInstant) -> [Action] {
        guard var state = streams.removeValue(forKey: id) else { return [] }
        let error: HTTPCoreError?
        switch ending {
        case .abandoned:
            error = nil
        case .reset:
            let waiting = state.waitingForHead || state.waitingForData || state.waitingForRoom
            error = waiting ? HTTPCoreError(.cancelled, "the stream was reset (\(code))", underlying: HTTP2Failure(errorCode: code, initiator: .localUser)) : nil
        case .failed(let failure):
            error = failure
        }
        let reason = error ?? HTTPCoreError(.cancelled, "the stream was cancelled", underlying: HTTP2Failure(errorCode: code, initiator: .localUser))
        if state.error == nil { state.error = reason }
        var actions: [Action] = []
        if !state.wireClosed { actions.append(.reset(stream: id, code: code)) }
        if state.uploading {
            state.uploading = false
            actions.append(.stopUpload(stream: id))
        }
        streams[id] = state
        actions += wake(id, head: true, data: true, room: true)
        if state.holdsSlot {
            streams[id]!.holdsSlot = false
            actions += releaseSlot(now: now)
        }
        if error == nil {
            streams[id] = nil
            removeIncoming(id)
        } else {
            // We reset it: nothing more comes from the wire that matters.
            streams[id]!.wireClosed = true
        }
        return actions
    }

    /// Feeding the request body failed (the source threw, or its length was wrong): the
    /// peer gets RST_STREAM(CANCEL) and whoever reads the stream gets `error`.
    mutating func uploadFailed(_ id: Int32, _ error: HTTPCoreError, now: HTTPInstant) -> [Action] {
        guard streams[id] != nil else { return [] }
        streams[id]!.uploading = false
        return cancel(id, .failed(error), now: now)
    }
}
